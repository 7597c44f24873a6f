import { replayDelay } from './replay-pace.js';

describe('replayDelay', () => {
  it('sends the first batch at once', () => {
    expect(replayDelay(1_000, 0, 100, 1_000)).toBe(0);
  });

  it('keeps batch n at n intervals after the first, whatever each batch took', () => {
    // The first batch went at 1,000; handling it took 30 ms: the second waits only 70.
    expect(replayDelay(1_000, 1, 100, 1_030)).toBe(70);
    // The timer fired 20 ms late for the second batch: the third is not late too.
    expect(replayDelay(1_000, 2, 100, 1_120)).toBe(80);
  });

  it('does not wait when the replay is behind its schedule', () => {
    expect(replayDelay(1_000, 3, 100, 1_450)).toBe(0);
  });
});
