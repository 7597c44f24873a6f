import { isDatabaseUnavailable } from '#persistence';

/** The first pause after a failed append; each next one doubles, up to the cap. */
const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 2000;

/**
 * The pause before retrying an append that failed for the `attempt`-th time (0-based), or
 * undefined to give up: when the retry would come after the lease may have run out. Past
 * that, a sweeper may have ended the build (or will once Postgres answers), so holding on
 * only holds a worker slot. The cap keeps a build from idling long after Postgres is back.
 */
export function appendRetryDelay(attempt: number, leaseLeftMs: number): number | undefined {
  const delay = Math.min(FIRST_DELAY_MS * 2 ** Math.min(attempt, 16), MAX_DELAY_MS);
  return delay < leaseLeftMs ? delay : undefined;
}

/**
 * Postgres unreachable, shutting down or starting up, or a serialization conflict: worth
 * retrying. A refused append (closed session, bad data) is not.
 */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isDatabaseUnavailable(error) || code === '40001' || code === '40P01';
}
