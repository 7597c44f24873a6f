/**
 * Redis could not answer in time: not connected (no offline queue, so no waiting for it) or
 * too slow. Request paths turn it into a 503; commit paths log it and go on.
 */
export class RedisUnavailableError extends Error {
  constructor(what: string, cause?: unknown) {
    super(`Redis is unavailable (${what}${cause instanceof Error ? `: ${cause.message}` : ''})`);
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Errors by which ioredis and BullMQ say that Redis is not reachable: no offline queue, the
 * command timed out, or the connection closed under it.
 */
const UNREACHABLE = [
  /enableOfflineQueue/,
  /Command timed out/,
  /Connection is closed/,
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN/,
  /MaxRetriesPerRequestError|max retries per request/i,
];

export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const text = `${error.name} ${error.message} ${(error as { code?: string }).code ?? ''}`;
  return UNREACHABLE.some((pattern) => pattern.test(text));
}

/**
 * `work`, or a RedisUnavailableError after `ms`. The work itself is not cancelled: callers
 * use it only for commands that are harmless when they land late (a PUBLISH, or an add whose
 * jobId makes a second add a no-op). A timer that fires late, because the event loop was busy
 * (a loaded machine, a long synchronous task), gives up only after the I/O waiting meanwhile
 * was read (setImmediate runs after the loop's poll phase): an answer already in the socket
 * wins, and only Redis' own silence counts.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let giveUp: NodeJS.Immediate | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      giveUp = setImmediate(() => reject(new RedisUnavailableError(`${what}: no answer within ${ms} ms`)));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
    clearImmediate(giveUp);
  });
}
