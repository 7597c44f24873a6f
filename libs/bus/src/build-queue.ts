import type { BuildJob, BuildLane } from '#contracts';

/**
 * The API's side of the `builds` queue. A build is accepted once its session is queued in
 * Postgres; the queue only tells a runner-worker to take it. Redis: a BullMQ job per
 * session, in its lane's queue. Postgres: the queued session row is the job, and a NOTIFY
 * wakes the workers.
 */
export abstract class BuildQueue {
  /** Never throws and never waits long: a build that cannot be announced now is found later. */
  abstract enqueue(job: BuildJob, lane: BuildLane): Promise<void>;

  /** Tidying after a build ended before it ran (best effort). */
  abstract remove(sessionId: string): Promise<void>;
}
