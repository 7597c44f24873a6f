// Live progress of one build in a terminal, through libs/client: the snapshot, then the
// gateway's live batches (or REST long-polls while the gateway cannot be reached).
import { WebSocket } from 'ws';
import {
  watchBuild as watchWithClient,
  type BuildView,
  type ConnectionStatus,
  type WebSocketFactory,
} from '#client';
import {
  isFinishedStatus,
  type BuildEvent,
  type Progress,
  type TodoView,
  type ToolCallStatus,
} from '#contracts';
import { refused, type BuildcastApi } from './api.js';

/** A terminal watcher gives up on the socket sooner than a browser: REST is fine here. */
const CLIENT_POLICY = { failuresBeforePolling: 3, minBackoffMs: 250, maxBackoffMs: 5_000 };
/** Statuses after which the SDK stops trying on its own (`signed-out`: the key was refused). */
const GIVES_UP: readonly string[] = ['error', 'signed-out'];
/** Statuses worth a line: the others are the normal path. */
const TOLD: Partial<Record<ConnectionStatus, string>> = {
  reconnecting: '… connection lost, reconnecting',
  polling: '… live updates unavailable, following over REST',
  offline: '… offline, retrying',
};

/** `ws` sockets that present the API key at connect (Authorization: Bearer, as REST does). */
function keyedWebSocket(key: string | undefined): WebSocketFactory {
  if (key === undefined) return WebSocket;
  const headers = { authorization: `Bearer ${key}` };
  return class KeyedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers });
    }
  };
}

/** Prints the build's state, then one line per change until it finishes; resolves with its final state. */
export function watchBuild(
  api: BuildcastApi,
  projectId: string,
  sessionId: string,
  out: (line: string) => void,
): Promise<BuildView> {
  const { key } = api;
  const watch = watchWithClient(projectId, sessionId, {
    baseUrl: api.origin,
    fetch: api.fetch,
    // The gateway takes the API key itself in its `auth` message (and REST as Bearer).
    getToken: key === undefined ? undefined : () => Promise.resolve(key),
    WebSocket: keyedWebSocket(api.key),
    ...CLIENT_POLICY,
  });
  return new Promise<BuildView>((resolve, reject) => {
    let started = false;
    let status = watch.status;
    const stop = watch.subscribe((applied) => {
      const state = watch.state;
      if (GIVES_UP.includes(watch.status)) {
        stop();
        watch.close();
        const error = watch.error ?? 'watching the build failed';
        // The SDK's message starts with the HTTP status when the server answered.
        reject(refused(error, Number(/^(\d{3}) /.exec(error)?.[1] ?? 0), api.key));
        return;
      }
      if (watch.status !== status) {
        status = watch.status;
        const line = TOLD[status];
        if (line) out(line);
      }
      if (!state) return;
      if (!started) {
        started = true;
        out(
          `Build ${sessionId} · ${state.session.agentId} · ${state.session.status} · ${progressText(state.session.progress)}`,
        );
      }
      for (const event of applied) {
        const line = describeEvent(event, state);
        if (line !== null) out(line);
      }
      if (isFinishedStatus(state.session.status)) {
        stop();
        watch.close();
        resolve(state);
      }
    });
  });
}

function progressText({ completed, total, percent }: Progress): string {
  return `${percent}% (${completed}/${total} todos)`;
}

/** What a line needs to know of the state after the event's batch. */
interface StateForLines {
  session: { progress: Progress };
  todos: TodoView[];
  toolCalls: { id: string; name: string; status: ToolCallStatus }[];
}

/** One terminal line for an event, or null for nothing worth a line. */
export function describeEvent(event: BuildEvent, after: StateForLines): string | null {
  switch (event.type) {
    case 'session.started':
      return `▶ started · ${event.data.agentId}${event.data.model ? ` · ${event.data.model}` : ''}`;
    case 'todos.updated': {
      const doing = after.todos.find((todo) => todo.status === 'in_progress');
      return `[${String(after.session.progress.percent).padStart(3)}%] ${after.session.progress.completed}/${after.session.progress.total} todos${doing ? ` · ${doing.activeForm}` : ''}`;
    }
    case 'tool.started':
      // The log never holds a duplicate tool.started: the store drops them before seqs.
      return `  → ${event.data.name}${inputText(event.data.input)}`;
    case 'tool.finished': {
      const call = after.toolCalls.find((known) => known.id === event.data.toolCallId);
      const name = call?.name ?? event.data.toolCallId;
      return event.data.isError ? `  ✗ ${name}: ${firstLine(event.data.output)}` : `  ✓ ${name}`;
    }
    case 'message':
      return `  · ${firstLine(event.data.text)}`;
    case 'session.finished': {
      const error = event.data.error ? `: ${event.data.error}` : '';
      return `■ ${event.data.status} · ${progressText(after.session.progress)}${abortedText(after.toolCalls)}${error}`;
    }
  }
}

/** The calls the session's end left without a result (the fold marks them aborted). */
function abortedText(toolCalls: StateForLines['toolCalls']): string {
  const aborted = toolCalls.filter((call) => call.status === 'aborted').map((call) => call.name);
  if (aborted.length === 0) return '';
  const names = aborted.length > 3 ? `${aborted.slice(0, 3).join(', ')}, …` : aborted.join(', ');
  return ` · ${aborted.length} tool call${aborted.length === 1 ? '' : 's'} aborted (${names})`;
}

function inputText(input: unknown): string {
  if (input === null || typeof input !== 'object') return '';
  const value = Object.values(input as Record<string, unknown>).find((field) => typeof field === 'string');
  return typeof value === 'string' ? ` ${firstLine(value)}` : '';
}

function firstLine(text: string, max = 100): string {
  const line = text.split('\n', 1)[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
