/** What a collapsed todo says in one line: how many calls, how many failed, how long. */
interface SummarisedCall {
  status: 'running' | 'succeeded' | 'failed' | 'aborted';
  startedAt: Date;
  endedAt: Date | null;
}

export interface CallsSummary {
  count: number;
  failed: number;
  /** From the first call's start to the last one's end (or `end` while one runs); null without calls. */
  durationMs: number | null;
}

/** `end`: the session's end, or now while it runs (a running call has no end yet). */
export function summarizeCalls(calls: readonly SummarisedCall[], end: number): CallsSummary {
  if (calls.length === 0) return { count: 0, failed: 0, durationMs: null };
  let first = Infinity;
  let last = -Infinity;
  let failed = 0;
  for (const call of calls) {
    if (call.status === 'failed') failed++;
    first = Math.min(first, call.startedAt.getTime());
    last = Math.max(last, call.endedAt?.getTime() ?? end);
  }
  return { count: calls.length, failed, durationMs: Math.max(0, last - first) };
}

export function describeSummary(summary: CallsSummary, formatDuration: (ms: number) => string): string {
  const parts = [`${summary.count} ${summary.count === 1 ? 'call' : 'calls'}`];
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.durationMs !== null) parts.push(formatDuration(summary.durationMs));
  return parts.join(' · ');
}
