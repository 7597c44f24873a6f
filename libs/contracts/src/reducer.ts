import type { BuildEvent } from './events.js';
import { computeProgress } from './progress.js';
import type { SessionView, Snapshot, SnapshotSession, ToolCallView } from './snapshot.js';

/**
 * The one definition of "applying an event": a pure fold from a snapshot and the next event
 * to the next snapshot. The database projections, the client and the tests must all agree
 * with it. Events at or below `state.seq` are ignored, so applying twice is harmless.
 */
export function applyEvent(state: Snapshot, event: BuildEvent): Snapshot {
  if (event.seq <= state.seq) return state;
  let { session, todos, toolCalls, messages } = state;
  switch (event.type) {
    case 'session.started': {
      const { agentId, model, projectName, prompt } = event.data;
      session = {
        ...session,
        status: 'running',
        agentId: agentId || session.agentId,
        model: model ?? session.model,
        projectName: projectName || session.projectName,
        prompt: prompt ?? session.prompt,
        startedAt: session.startedAt ?? event.at,
      };
      break;
    }
    case 'todos.updated':
      todos = event.data.todos.map((todo, index) => ({ index, ...todo }));
      break;
    case 'tool.started': {
      const { toolCallId, name, input, todoIndex, parentToolCallId } = event.data;
      if (toolCalls.some((call) => call.id === toolCallId)) break;
      const call: ToolCallView = {
        id: toolCallId,
        todoIndex,
        parentToolCallId: parentToolCallId ?? null,
        name,
        input,
        output: null,
        isError: false,
        outputTruncated: false,
        status: 'running',
        startedAt: event.at,
        endedAt: null,
        startedSeq: event.seq,
      };
      toolCalls = [...toolCalls, call];
      break;
    }
    case 'tool.finished': {
      const { toolCallId, output, isError, outputTruncated } = event.data;
      toolCalls = toolCalls.map((call) =>
        call.id === toolCallId
          ? {
              ...call,
              output,
              isError,
              outputTruncated: outputTruncated ?? false,
              status: isError ? 'failed' : 'succeeded',
              endedAt: event.at,
            }
          : call,
      );
      break;
    }
    case 'message': {
      const { role, text } = event.data;
      messages = [...messages, { seq: event.seq, role, text, at: event.at }];
      break;
    }
    case 'session.finished': {
      const { status, error, usage } = event.data;
      toolCalls = abortOpenCalls(toolCalls, event.at);
      session = {
        ...session,
        status,
        error: error ?? null,
        usage: usage ?? session.usage,
        endedAt: event.at,
      };
      break;
    }
  }
  const progress = computeProgress(todos, session.status);
  return { seq: event.seq, session: { ...session, progress }, todos, toolCalls, messages };
}

/**
 * A finished session runs nothing: each call still without a result is `aborted`, ended at
 * the session's end, so every reader of the fold shows it stopped (contract v2).
 */
export function abortOpenCalls(toolCalls: ToolCallView[], endedAt: string): ToolCallView[] {
  if (!toolCalls.some((call) => call.status === 'running')) return toolCalls;
  return toolCalls.map((call) =>
    call.status === 'running' ? { ...call, status: 'aborted', endedAt } : call,
  );
}

/** A session before its first event, as the API creates it (no audit entries unless given). */
export function emptySnapshot(
  session: Omit<SessionView, 'progress'> & { audit?: SnapshotSession['audit'] },
): Snapshot {
  return {
    seq: 0,
    session: { ...session, audit: session.audit ?? [], progress: computeProgress([], session.status) },
    todos: [],
    toolCalls: [],
    messages: [],
  };
}
