import type { ThrottlerStorage } from '@nestjs/throttler';

/** What a ThrottlerStorage answers (the package does not export the type by name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Retry-After in whole seconds: rounded up, and at least 1 (0 would invite an instant retry). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * A fixed window's answer for the throttler: `hits` counted in the window so far (this
 * request included) and `pttlMs` until the window ends. Over `limit`, the request is refused
 * until the window ends.
 */
export function windowRecord(hits: number, pttlMs: number, limit: number): ThrottlerStorageRecord {
  const isBlocked = hits > limit;
  return {
    totalHits: hits,
    timeToExpire: retryAfterSeconds(pttlMs),
    isBlocked,
    timeToBlockExpire: isBlocked ? retryAfterSeconds(pttlMs) : 0,
  };
}

/** What the throttler is told when Redis does not answer: allowed (limits fail open). */
export const UNCOUNTED: ThrottlerStorageRecord = {
  totalHits: 0,
  timeToExpire: 0,
  isBlocked: false,
  timeToBlockExpire: 0,
};
