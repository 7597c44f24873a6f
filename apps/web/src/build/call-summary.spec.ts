import { describeSummary, summarizeCalls } from './call-summary.js';

const at = (s: number) => new Date(s * 1000);
const call = (status: 'running' | 'succeeded' | 'failed' | 'aborted', start: number, end: number | null) => ({
  status,
  startedAt: at(start),
  endedAt: end === null ? null : at(end),
});

describe('summarizeCalls', () => {
  it('counts calls and failures and spans the first start to the last end', () => {
    const summary = summarizeCalls(
      [call('succeeded', 10, 12), call('failed', 13, 20), call('failed', 14, 15)],
      0,
    );
    expect(summary).toEqual({ count: 3, failed: 2, durationMs: 10_000 });
    expect(describeSummary(summary, (ms) => `${ms / 1000}s`)).toBe('3 calls · 2 failed · 10s');
  });

  it('a running call runs to `end`; no calls, no time', () => {
    expect(summarizeCalls([call('running', 10, null)], 25_000).durationMs).toBe(15_000);
    const none = summarizeCalls([], 0);
    expect(none).toEqual({ count: 0, failed: 0, durationMs: null });
    expect(describeSummary(none, String)).toBe('0 calls');
    expect(describeSummary(summarizeCalls([call('succeeded', 1, 2)], 0), () => '1 s')).toBe('1 call · 1 s');
  });
});
