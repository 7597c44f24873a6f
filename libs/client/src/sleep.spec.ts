import { getEventListeners } from 'node:events';
import { jest } from '@jest/globals';
import { sleep } from './sleep.js';

describe('sleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the time and leaves no abort listener behind, however often it sleeps on one signal', async () => {
    const controller = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 20; i++) {
        let done = false;
        void sleep(1_000, controller.signal).then(() => (done = true));
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
        await jest.advanceTimersByTimeAsync(999);
        expect(done).toBe(false);
        await jest.advanceTimersByTimeAsync(1);
        expect(done).toBe(true);
      }
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('resolves at once on abort, clearing its timer and its listener', async () => {
    const controller = new AbortController();
    let done = false;
    void sleep(60_000, controller.signal).then(() => (done = true));
    controller.abort();
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves at once on a signal that has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await sleep(60_000, controller.signal);
    expect(jest.getTimerCount()).toBe(0);
  });
});
