import type { BuildLog } from '#bus';
import type { AppendResult, NewBuildEvent } from '#contracts';
import type { AppendOptions } from '#persistence';
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
      const toSeq = appended.flat().length;
      return Promise.resolve({ events: [], toSeq } as unknown as AppendResult);
    },
  } as unknown as BuildLog;
  return { store, appended };
}
const recorder = (
  log: BuildLog,
  leaseLeftMs = 0,
  observeAppend?: (batchSize: number, seconds: number) => void,
) => new SessionRecorder('s', STARTED, log, 1000, () => leaseLeftMs, observeAppend);
const message: NewBuildEvent = { type: 'message', data: { role: 'assistant', text: 'hi' } };
const types = (batches: NewBuildEvent[][]) => batches.map((batch) => batch.map((event) => event.type));

describe('SessionRecorder', () => {
  it('after an append that failed for good, finish still writes session.started and session.finished', async () => {
    const { store, appended } = storeFailing(new Error('invalid input syntax for type json'));
    const session = recorder(store);
    await session.record([message]);
    await expect(session.finish('completed')).rejects.toThrow('invalid input');
    expect(session.finished).toBe(false);
    await session.finishAfterFailure('Runner error');
    expect(types(appended)).toEqual([['session.started', 'session.finished']]);
    expect(session.finished).toBe(true);
  });

  it('groups what the agent emitted while an append was in flight, in order, session.finished last', async () => {
    const appended: NewBuildEvent[][] = [];
    let release = () => {};
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    const store = {
      append: async (_sessionId: string, events: NewBuildEvent[]) => {
        appended.push(events);
        if (appended.length === 1) await firstHeld;
        return { events: [] } as unknown as AppendResult;
      },
    } as unknown as BuildLog;
    const session = recorder(store);
    await session.record([message]);
    await session.record([message, { type: 'session.started', data: { ...STARTED, model: 'm' } }]);
    await session.record([{ type: 'todos.updated', data: { todos: [] } }]);
    const finished = session.finish('completed');
    release();
    await finished;
    expect(types(appended)).toEqual([
      ['session.started', 'message'],
      ['message', 'todos.updated', 'session.finished'],
    ]);
  });

  it('retries a connection failure while the lease lasts, and gives up without one', async () => {
    const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const held = storeFailing(refused(), refused());
    const kept = recorder(held.store, 60_000);
    await kept.record([message]);
    await kept.finish('completed');
    expect(types(held.appended)).toEqual([['session.started', 'message'], ['session.finished']]);

    const lost = storeFailing(refused());
    const dropped = recorder(lost.store, 0);
    await dropped.record([message]);
    await expect(dropped.finish('completed')).rejects.toThrow('ECONNREFUSED');
    expect(lost.appended).toEqual([]);
  });

  it('tells the metrics of each committed append, not of failed tries, and keeps the latest seq', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { store } = storeFailing(refused);
    const observed: [number, number][] = [];
    const session = recorder(store, 60_000, (batchSize, seconds) => observed.push([batchSize, seconds]));
    await session.record([message, message]);
    await session.finish('completed');
    expect(observed.map(([batchSize]) => batchSize)).toEqual([3, 1]);
    expect(observed.every(([, seconds]) => seconds >= 0)).toBe(true);
    expect(session.seq).toBe(4);
    expect(session.status).toBe('completed');
  });

  it("gives every retry of a group the group's batch, and the next group a new one after the committed seq", async () => {
    const refused = new Error('Connection terminated unexpectedly');
    const batches: AppendOptions['batch'][] = [];
    let failures = 2;
    let seq = 0;
    const store = {
      append: (_sessionId: string, events: NewBuildEvent[], options?: AppendOptions) => {
        batches.push(options?.batch);
        if (failures-- > 0) return Promise.reject(refused);
        seq += events.length;
        return Promise.resolve({ events: [], toSeq: seq } as unknown as AppendResult);
      },
    } as unknown as BuildLog;
    const session = recorder(store, 60_000);
    await session.record([message, message]);
    await session.finish('completed');
    const [first, ...others] = batches;
    expect(others.slice(0, 2)).toEqual([first, first]);
    expect(first).toEqual({ id: expect.any(String), expectedSeq: 0 });
    expect(others[2]).toEqual({ id: expect.any(String), expectedSeq: 3 });
    expect(others[2]!.id).not.toBe(first!.id);
    expect(session.seq).toBe(4);
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
