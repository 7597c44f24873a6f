import type { BuildEvent } from '#contracts';

/**
 * A group commit's identity (the runner-worker's SessionRecorder): one per group, the same on
 * every retry of that group, so a retry can tell that an earlier attempt committed.
 */
export interface AppendBatch {
  id: string;
  /** The session's latest seq as the appender believes it, before this batch. */
  expectedSeq: number;
}

/** What the check reads from the locked session row. */
export interface BatchMark {
  /** The batch of the session's latest write (NULL: a write without one). */
  last_batch_id: string | null;
  last_seq: number;
}

/**
 * The seqs an earlier attempt of `batch` committed, or null to append normally. Every write
 * of an append sets `last_batch_id` (NULL without a batch), so it equals the batch's id only
 * when the session's latest write was this batch: its COMMIT went through, but the answer was
 * lost with the connection. Its events are those after `expectedSeq`, up to the latest seq
 * (none when the appender's belief is ahead of the log: `fromSeq` > `toSeq`).
 *
 * A different id is a normal append, even when `last_seq` is not `expectedSeq`: another
 * writer (the API's cancel, a sweeper) appended meanwhile, or this batch never committed.
 * Its seqs follow the log as it is; refusing would lose the batch.
 */
export function repeatedBatch(
  row: BatchMark,
  batch: AppendBatch | undefined,
): { fromSeq: number; toSeq: number } | null {
  if (batch === undefined || row.last_batch_id !== batch.id) return null;
  return { fromSeq: batch.expectedSeq + 1, toSeq: row.last_seq };
}

/**
 * Whether a repeated batch's events may have changed the session's summary (status, progress,
 * model, agentId, projectName): the summary before them is gone, and announcing an unchanged
 * summary again is harmless, while missing a changed one is not.
 */
export function summaryMayHaveChanged(events: readonly Pick<BuildEvent, 'type'>[]): boolean {
  return events.some(
    (event) =>
      event.type === 'session.started' || event.type === 'todos.updated' || event.type === 'session.finished',
  );
}
