import { queuedSessionAction } from './queued-action.js';

describe('queuedSessionAction', () => {
  it('enqueues a session whose job is gone', () => {
    expect(queuedSessionAction('unknown', true)).toBe('enqueue');
  });

  it('replaces a job that ended while its session is still queued', () => {
    expect(queuedSessionAction('failed', true)).toBe('replace');
    expect(queuedSessionAction('completed', true)).toBe('replace');
  });

  it.each(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const)(
    'leaves a %s job to the queue',
    (state) => {
      expect(queuedSessionAction(state, true)).toBe('leave');
    },
  );

  it('interrupts a session that has nothing to run, whatever its job', () => {
    expect(queuedSessionAction('unknown', false)).toBe('interrupt');
    expect(queuedSessionAction('waiting', false)).toBe('interrupt');
  });
});
