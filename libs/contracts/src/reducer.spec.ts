import type { BuildEvent, NewBuildEvent } from './events.js';
import { abortOpenCalls, applyEvent, applyEvents, emptySnapshot } from './reducer.js';
import type { Snapshot } from './snapshot.js';

const created = emptySnapshot({
  id: 's',
  projectId: 'p',
  status: 'queued',
  agent: 'replay',
  agentId: 'replay',
  model: null,
  projectName: 'p',
  prompt: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  startedAt: null,
  endedAt: null,
  error: null,
  usage: null,
});

/** The events in seq order, one second apart from 10:00:01. */
function fold(...events: NewBuildEvent[]): Snapshot {
  return events
    .map((event, index): BuildEvent => ({
      ...event,
      seq: index + 1,
      at: `2026-12-01T10:00:${String(index + 1).padStart(2, '0')}.000Z`,
    }))
    .reduce(applyEvent, created);
}

const started: NewBuildEvent = {
  type: 'session.started',
  data: { agentId: 'claude-code', model: 'm', projectName: 'p', prompt: 'Fix the tests' },
};
const tool = (id: string): NewBuildEvent => ({
  type: 'tool.started',
  data: { toolCallId: id, name: 'Bash', input: { command: 'ls' }, todoIndex: null },
});
const result = (id: string, isError = false): NewBuildEvent => ({
  type: 'tool.finished',
  data: { toolCallId: id, output: 'out', isError },
});
const message = (text: string): NewBuildEvent => ({ type: 'message', data: { role: 'assistant', text } });
const finished = (status: 'completed' | 'cancelled' | 'interrupted' | 'failed'): NewBuildEvent => ({
  type: 'session.finished',
  data: { status, usage: { input_tokens: 3 } },
});

describe('applyEvent', () => {
  it('aborts every call without a result when the session finishes, ended at the session end', () => {
    const state = fold(started, tool('a'), tool('b'), result('a'), tool('c'), finished('cancelled'));
    expect(state.session.endedAt).toBe('2026-12-01T10:00:06.000Z');
    expect(state.toolCalls.map(({ id, status, endedAt }) => ({ id, status, endedAt }))).toEqual([
      { id: 'a', status: 'succeeded', endedAt: '2026-12-01T10:00:04.000Z' },
      { id: 'b', status: 'aborted', endedAt: '2026-12-01T10:00:06.000Z' },
      { id: 'c', status: 'aborted', endedAt: '2026-12-01T10:00:06.000Z' },
    ]);
    expect(state.toolCalls[1]).toMatchObject({ output: null, isError: false });
  });

  it.each(['completed', 'failed', 'interrupted'] as const)('aborts open calls on %s too', (status) => {
    const state = fold(started, tool('a'), finished(status));
    expect(state.toolCalls[0].status).toBe('aborted');
  });

  it('keeps the agent messages in seq order, with their time', () => {
    const state = fold(started, message('Looking at **the tests**'), tool('a'), message('Done.'));
    expect(state.messages).toEqual([
      { seq: 2, role: 'assistant', text: 'Looking at **the tests**', at: '2026-12-01T10:00:02.000Z' },
      { seq: 4, role: 'assistant', text: 'Done.', at: '2026-12-01T10:00:04.000Z' },
    ]);
    expect(state.toolCalls[0].startedSeq).toBe(3);
  });

  it('ignores an event already applied, so a message is never kept twice', () => {
    const state = fold(started, message('once'));
    const again = applyEvent(state, { seq: 2, at: state.messages[0].at, ...message('once') });
    expect(again).toBe(state);
  });

  it('keeps the prompt and the usage', () => {
    const state = fold(started, finished('completed'));
    expect(state.session.prompt).toBe('Fix the tests');
    expect(state.session.usage).toEqual({ input_tokens: 3 });
  });
});

describe('abortOpenCalls', () => {
  it('returns the same list when nothing is running', () => {
    const calls = fold(started, tool('a'), result('a', true)).toolCalls;
    expect(abortOpenCalls(calls, '2026-12-01T11:00:00.000Z')).toBe(calls);
  });
});

describe('applyEvents', () => {
  /** Events as `fold` numbers them, from `first`. */
  const numbered = (first: number, ...events: NewBuildEvent[]): BuildEvent[] =>
    events.map((event, index) => ({
      ...event,
      seq: first + index,
      at: `2026-12-01T11:00:${String(first + index).padStart(2, '0')}.000Z`,
    }));
  const batch = numbered(
    4,
    tool('b'),
    tool('a'), // known: a no-op
    result('b', true),
    message('half way'),
    { type: 'todos.updated', data: { todos: [{ content: 'x', activeForm: 'X', status: 'completed' }] } },
    tool('c'),
    result('a'),
    result('nobody'), // unknown: a no-op
    tool('d'),
    result('d'),
    finished('completed'),
  );

  it('equals applying the events one by one, and leaves the state it was given alone', () => {
    const before = fold(started, tool('a'), message('hello'));
    const copy = structuredClone(before);
    const one = batch.reduce(applyEvent, before);
    expect(applyEvents(before, batch)).toEqual(one);
    expect(before).toEqual(copy);
    expect(one.toolCalls.map(({ id, status }) => `${id} ${status}`)).toEqual([
      'a succeeded',
      'b failed',
      'c aborted',
      'd succeeded',
    ]);
  });

  it('skips events already applied, out of order ones included, and keeps lists it does not change', () => {
    const before = fold(started, tool('a'), message('hello'));
    const events = numbered(3, tool('a'), result('a')).concat(numbered(2, message('late')));
    const after = applyEvents(before, events);
    expect(after).toEqual(events.reduce(applyEvent, before));
    expect(after.seq).toBe(4);
    expect(after.messages).toBe(before.messages);
    expect(applyEvents(before, numbered(1, message('old')))).toBe(before);
  });
});
