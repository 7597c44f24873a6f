/** Socket errors and Postgres' "cannot connect now / shutting down / connection failure" classes. */
const UNAVAILABLE_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|57P0[1-3]|08\d{3}|53300)$/;

/**
 * True when an error says Postgres could not be reached or went away, rather than that the
 * statement was wrong: worth a retry, and a 503 for a request. TypeORM keeps the driver's
 * error as `driverError`; node-postgres reports a dropped connection without a code.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const candidate of [error, (error as { driverError?: unknown } | null)?.driverError]) {
    const { code, message } = (candidate ?? {}) as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) return true;
    if (
      typeof message === 'string' &&
      /^Connection terminated|^timeout exceeded when trying to connect/.test(message)
    ) {
      return true;
    }
  }
  return false;
}
