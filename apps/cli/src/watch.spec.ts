import type { BuildEvent } from '#contracts';
import { describeEvent } from './watch.js';

const finished = (status: 'cancelled' | 'completed', error?: string): BuildEvent => ({
  seq: 9,
  at: '2026-12-01T10:00:00.000Z',
  type: 'session.finished',
  data: { status, error },
});
const state = (statuses: ('succeeded' | 'aborted')[]) => ({
  session: { progress: { completed: 1, total: 4, percent: 25 } },
  todos: [],
  toolCalls: statuses.map((status, i) => ({ id: `c${i}`, name: `Tool${i}`, status })),
});

describe('describeEvent', () => {
  it('says which calls the end of the session aborted', () => {
    expect(describeEvent(finished('cancelled'), state(['succeeded', 'aborted']))).toBe(
      '■ cancelled · 25% (1/4 todos) · 1 tool call aborted (Tool1)',
    );
    expect(
      describeEvent(finished('cancelled', 'stop'), state(['aborted', 'aborted', 'aborted', 'aborted'])),
    ).toBe('■ cancelled · 25% (1/4 todos) · 4 tool calls aborted (Tool0, Tool1, Tool2, …): stop');
  });

  it('says nothing of aborted calls when there are none', () => {
    expect(describeEvent(finished('completed'), state(['succeeded']))).toBe('■ completed · 25% (1/4 todos)');
  });
});
