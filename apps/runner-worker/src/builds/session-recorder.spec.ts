import type { BuildLog } from '#bus';
import type { NewBuildEvent } from '#contracts';
import type { AppendResult } from '#persistence';
import { SessionRecorder } from './session-recorder.js';

const STARTED = { agentId: 'demo', model: null, projectName: 'p', prompt: null };

/** A log whose appends fail with `failures` in order, then succeed; it keeps what it was given. */
function storeFailing(...failures: Error[]) {
  const appended: NewBuildEvent[][] = [];
  const store = {
    append: (_sessionId: string, events: NewBuildEvent[]) => {
      const failure = failures.shift();
      if (failure) return Promise.reject(failure);
      appended.push(events);
      return Promise.resolve({ events: [] } as unknown as AppendResult);
    },
  } as unknown as BuildLog;
  return { store, appended };
}
const recorder = (log: BuildLog, leaseLeftMs = 0) =>
  new SessionRecorder('s', STARTED, log, 1000, () => leaseLeftMs);
const message: NewBuildEvent = { type: 'message', data: { role: 'assistant', text: 'hi' } };
const types = (batches: NewBuildEvent[][]) => batches.map((batch) => batch.map((event) => event.type));

describe('SessionRecorder', () => {
  it('after an append that failed for good, finish still writes session.started and session.finished', async () => {
    const { store, appended } = storeFailing(new Error('invalid input syntax for type json'));
    const session = recorder(store);
    await expect(session.record([message])).rejects.toThrow('invalid input');
    await session.finish('failed', 'Runner error');
    expect(types(appended)).toEqual([['session.started', 'session.finished']]);
    expect(session.finished).toBe(true);
  });

  it('retries a connection failure while the lease lasts, and gives up without one', async () => {
    const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const held = storeFailing(refused(), refused());
    await recorder(held.store, 60_000).record([message]);
    expect(types(held.appended)).toEqual([['session.started', 'message']]);

    const lost = storeFailing(refused());
    await expect(recorder(lost.store, 0).record([message])).rejects.toThrow('ECONNREFUSED');
    expect(lost.appended).toEqual([]);
  });

  it("keeps the transcript's model and prompt unless the build request named them", async () => {
    const { store, appended } = storeFailing();
    const fromTranscript: NewBuildEvent = {
      type: 'session.started',
      data: { agentId: 'x', model: 'transcript-model', projectName: 'x', prompt: 'Fix the flaky test' },
    };
    await recorder(store).record([fromTranscript]);
    expect(appended[0][0].data).toEqual({
      ...STARTED,
      model: 'transcript-model',
      prompt: 'Fix the flaky test',
    });

    const asked = storeFailing();
    await new SessionRecorder('s', { ...STARTED, prompt: 'As asked' }, asked.store, 1000, () => 0).record([
      fromTranscript,
    ]);
    expect(asked.appended[0][0].data).toMatchObject({ prompt: 'As asked' });
  });
});
