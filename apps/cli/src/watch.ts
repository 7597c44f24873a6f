// Live progress of one build in a terminal. TODO(libs/client): this follows the log with the
// REST long-poll itself; switch it to libs/client (hydrate + subscribe + resume) once that
// SDK exists, keeping the rendering below.
import {
  applyEvent,
  isFinishedStatus,
  type BuildEvent,
  type EventsPage,
  type Snapshot,
  type ToolCallView,
} from '#contracts';
import { CliError, EXIT, type BuildcastApi } from './api.js';

const LONG_POLL_MS = 25_000;
const RETRIES = 5;

/** Prints the build's state, then one line per change until it finishes; resolves with its final snapshot. */
export async function watchBuild(
  api: BuildcastApi,
  projectId: string,
  sessionId: string,
  out: (line: string) => void,
): Promise<Snapshot> {
  const base = `/projects/${projectId}/builds/${sessionId}`;
  let state = await api.get<Snapshot>(base);
  out(`Build ${sessionId} · ${state.session.agentId} · ${state.session.status} · ${progressText(state)}`);
  let failures = 0;
  while (!isFinishedStatus(state.session.status)) {
    let page: EventsPage;
    try {
      page = await api.get<EventsPage>(`${base}/events?after=${state.seq}&waitMs=${LONG_POLL_MS}`);
      failures = 0;
    } catch (error) {
      if (!(error instanceof CliError) || error.exitCode !== EXIT.unreachable || ++failures > RETRIES)
        throw error;
      out(`… connection lost, retrying (${failures}/${RETRIES})`);
      await new Promise((resolve) => setTimeout(resolve, 1000 * failures));
      continue;
    }
    for (const event of page.events) {
      const before = state;
      state = applyEvent(state, event);
      const line = describeEvent(event, before, state);
      if (line !== null) out(line);
    }
  }
  return state;
}

function progressText(state: Snapshot): string {
  const { completed, total, percent } = state.session.progress;
  return `${percent}% (${completed}/${total} todos)`;
}

/** One terminal line for an event, or null for nothing worth a line. */
export function describeEvent(event: BuildEvent, before: Snapshot, after: Snapshot): string | null {
  switch (event.type) {
    case 'session.started':
      return `▶ started · ${event.data.agentId}${event.data.model ? ` · ${event.data.model}` : ''}`;
    case 'todos.updated': {
      const doing = after.todos.find((todo) => todo.status === 'in_progress');
      return `[${String(after.session.progress.percent).padStart(3)}%] ${after.session.progress.completed}/${after.session.progress.total} todos${doing ? ` · ${doing.activeForm}` : ''}`;
    }
    case 'tool.started':
      if (before.toolCalls.some((call) => call.id === event.data.toolCallId)) return null;
      return `  → ${event.data.name}${inputText(event.data.input)}`;
    case 'tool.finished': {
      const call: ToolCallView | undefined = after.toolCalls.find(
        (known) => known.id === event.data.toolCallId,
      );
      const name = call?.name ?? event.data.toolCallId;
      return event.data.isError ? `  ✗ ${name}: ${firstLine(event.data.output)}` : `  ✓ ${name}`;
    }
    case 'message':
      return `  · ${firstLine(event.data.text)}`;
    case 'session.finished': {
      const error = event.data.error ? `: ${event.data.error}` : '';
      return `■ ${event.data.status} · ${progressText(after)}${error}`;
    }
  }
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
