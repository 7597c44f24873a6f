import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { AppConfig } from '#config';
import { FailOpenLog, limitKey, type RedisService } from '#bus';
import { UNCOUNTED, windowRecord, type ThrottlerStorageRecord } from './window-record.js';

/**
 * One fixed window, atomically (a script runs alone): count this request, start the window
 * on its first request, and once the count first passes the limit keep the key for the
 * block duration if that is longer. Answers `{hits, ms until the window ends}`.
 */
const COUNT = `
local hits = redis.call('INCR', KEYS[1])
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then
  pttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], pttl)
end
if hits == tonumber(ARGV[2]) + 1 and tonumber(ARGV[3]) > pttl then
  pttl = tonumber(ARGV[3])
  redis.call('PEXPIRE', KEYS[1], pttl)
end
return {hits, pttl}
`;

/**
 * The throttler's counters in Redis, so every API replica counts against the same limit
 * (the community Redis storage does not support Nest 12). Without Redis the request is
 * allowed and an outage is logged once: the limits fail open, REST keeps working on Postgres.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly outage = new FailOpenLog(new Logger(RedisThrottlerStorage.name), 'Rate limits');

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  /** `key` is the guard's `${throttler}:${tracker}`; `ttl` and `blockDuration` are ms. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    // Not connected: no offline queue, so answer at once rather than fail the command.
    if (!this.redis.isReady) {
      this.outage.failed(new Error('not connected'));
      return UNCOUNTED;
    }
    try {
      const [hits, pttl] = (await this.redis.client.eval(
        COUNT,
        1,
        limitKey(this.config, key),
        ttl,
        limit,
        blockDuration,
      )) as [number, number];
      this.outage.succeeded();
      return windowRecord(hits, pttl, limit);
    } catch (error) {
      this.outage.failed(error); // connected but frozen: the command timeout ends the wait
      return UNCOUNTED;
    }
  }
}
