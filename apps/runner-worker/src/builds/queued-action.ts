import type { JobState } from 'bullmq';

/**
 * What the queued-session sweeper does with a session that is queued, unclaimed and older
 * than the grace period:
 * - leave: its job is waiting (or being picked up): the queue will run it;
 * - enqueue: its job is gone (Redis restarted empty, or the API could not reach it);
 * - replace: its job ended without starting the session (e.g. Postgres was down when a
 *   worker took it): remove that job, then enqueue a new one under the same id;
 * - interrupt: there is no stored request to run (queued by a version that kept it in the job).
 */
export type QueuedAction = 'leave' | 'enqueue' | 'replace' | 'interrupt';

export function queuedSessionAction(jobState: JobState | 'unknown', hasRequest: boolean): QueuedAction {
  if (!hasRequest) return 'interrupt';
  if (jobState === 'unknown') return 'enqueue';
  if (jobState === 'completed' || jobState === 'failed') return 'replace';
  return 'leave';
}
