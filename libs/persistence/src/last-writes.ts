import { isFinishedStatus, type AppendResult, type NewBuildEvent, type SessionSummary } from '#contracts';

/**
 * What this process last wrote to a session: enough to append its next batch in one statement,
 * without first locking and reading the row. The statement checks that the session's latest
 * seq is still `summary.seq` (so no one else appended since, and the row is as written), and
 * that the batch's stored tool calls are exactly those this assumes: otherwise it writes
 * nothing and the append takes the locked path.
 */
export interface LastWrite {
  summary: SessionSummary;
  /**
   * Calls this process saw start and not finish: the stored calls a batch may name. A hint
   * only (a call started by an earlier process is missing): the statement checks it.
   */
  running: ReadonlySet<string>;
}

/** The options an append may carry and still go without the lock (the runner's own). */
export interface UnlockedAppendOptions {
  onlyIfLeaseExpired?: boolean;
  onlyIfUnheld?: boolean;
  audit?: unknown;
  ingest?: unknown;
}

/**
 * Whether an append may skip the lock: only a plain append (no lease condition, audit or
 * external runner's bookkeeping, which read or write more under the lock) that does not finish
 * the session (finishing aborts every running call, which only a read under the lock knows).
 */
export function mayAppendUnlocked(options: UnlockedAppendOptions, batch: readonly NewBuildEvent[]): boolean {
  return (
    !options.onlyIfLeaseExpired &&
    !options.onlyIfUnheld &&
    options.audit === undefined &&
    options.ingest === undefined &&
    !batch.some((event) => event.type === 'session.finished')
  );
}

/** The running calls after `events`: started ones join, finished ones leave. */
export function runningAfter(running: ReadonlySet<string>, events: readonly NewBuildEvent[]): Set<string> {
  const next = new Set(running);
  for (const event of events) {
    if (event.type === 'tool.started') next.add(event.data.toolCallId);
    else if (event.type === 'tool.finished') next.delete(event.data.toolCallId);
  }
  return next;
}

/**
 * The latest write of each session this process appended to, for the sessions it appended to
 * most recently (at most `limit`: a session that went quiet falls out and takes the locked path
 * once more). A finished session is dropped: nothing more may be appended to it.
 */
export class LastWrites {
  private readonly bySession = new Map<string, LastWrite>();

  constructor(private readonly limit = 10_000) {}

  get(sessionId: string): LastWrite | undefined {
    return this.bySession.get(sessionId);
  }

  /** After a committed append: the session as it wrote it. */
  remember(result: AppendResult): void {
    const previous = this.bySession.get(result.sessionId);
    this.bySession.delete(result.sessionId); // re-inserted last: the Map's order is recency
    if (isFinishedStatus(result.summary.status)) return;
    this.bySession.set(result.sessionId, {
      summary: result.summary,
      running: runningAfter(previous?.running ?? new Set(), result.events),
    });
    if (this.bySession.size > this.limit) {
      this.bySession.delete(this.bySession.keys().next().value as string);
    }
  }

  /** After an append that failed or found the session changed by someone else. */
  forget(sessionId: string): void {
    this.bySession.delete(sessionId);
  }
}
