import type { BuildEvent } from './events.js';
import { computeProgress } from './progress.js';
import type { SessionView, Snapshot, SnapshotSession, ToolCallView } from './snapshot.js';

/**
 * The one definition of "applying an event": a pure fold from a snapshot and the next event
 * to the next snapshot. The database projections, the client and the tests must all agree
 * with it. Events at or below `state.seq` are ignored, so applying twice is harmless.
 */
export function applyEvent(state: Snapshot, event: BuildEvent): Snapshot {
  return applyEvents(state, [event]);
}

/**
 * `events.reduce(applyEvent, state)`, in time linear in the batch: the lists are copied once
 * (only those the batch changes) and changed in place, and tool calls are found by id through
 * an index instead of a scan per event. `state` is never changed; ids are unique in a
 * snapshot (tool.started of a known id is a no-op).
 */
export function applyEvents(state: Snapshot, events: readonly BuildEvent[]): Snapshot {
  let { seq, session, todos, toolCalls, messages } = state;
  // Copies made for this batch (so they may be changed in place), and the calls' positions by id.
  let ownCalls = false;
  let ownMessages = false;
  let callIndex: Map<string, number> | undefined;
  const findCall = (id: string): number => {
    // One event: a scan, as cheap as building the index.
    if (events.length === 1) return toolCalls.findIndex((call) => call.id === id);
    if (!callIndex) {
      callIndex = new Map();
      for (const [index, call] of toolCalls.entries())
        if (!callIndex.has(call.id)) callIndex.set(call.id, index);
    }
    return callIndex.get(id) ?? -1;
  };
  const writableCalls = (): ToolCallView[] => {
    if (!ownCalls) toolCalls = [...toolCalls];
    ownCalls = true;
    return toolCalls;
  };
  for (const event of events) {
    if (event.seq <= seq) continue;
    seq = event.seq;
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
        if (findCall(toolCallId) >= 0) break;
        const calls = writableCalls();
        callIndex?.set(toolCallId, calls.length);
        calls.push({
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
        });
        break;
      }
      case 'tool.finished': {
        const { toolCallId, output, isError, outputTruncated } = event.data;
        const index = findCall(toolCallId);
        if (index < 0) break;
        const calls = writableCalls();
        calls[index] = {
          ...calls[index],
          output,
          isError,
          outputTruncated: outputTruncated ?? false,
          status: isError ? 'failed' : 'succeeded',
          endedAt: event.at,
        };
        break;
      }
      case 'message': {
        const { role, text } = event.data;
        if (!ownMessages) messages = [...messages];
        ownMessages = true;
        messages.push({ seq: event.seq, role, text, at: event.at });
        break;
      }
      case 'session.finished': {
        const { status, error, usage } = event.data;
        const aborted = abortOpenCalls(toolCalls, event.at);
        if (aborted !== toolCalls) {
          toolCalls = aborted; // a new list in the same order: the index still holds
          ownCalls = true;
        }
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
  }
  if (seq === state.seq) return state;
  // Progress depends only on the final todos and status, so it is computed once.
  const progress = computeProgress(todos, session.status);
  return { seq, session: { ...session, progress }, todos, toolCalls, messages };
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
