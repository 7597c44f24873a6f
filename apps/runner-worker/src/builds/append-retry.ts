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
 * Failures of the connection or of Postgres itself (shutting down, starting up, a
 * serialization conflict) are worth retrying; a refused append (closed session, bad data) is not.
 */
export function isTransient(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P0[1-3]|08\d{3}|40001|40P01)$/.test(code)
  ) {
    return true;
  }
  // node-postgres reports a connection the server dropped without a code.
  return (
    typeof message === 'string' &&
    /^Connection terminated|^timeout exceeded when trying to connect/.test(message)
  );
}
