import { Injectable, Logger } from '@nestjs/common';
import { ExpiringSlots, SlotStores, type SlotAnswer } from '../limits/expiring-slots.js';
import { FailOpenLog } from '../limits/fail-open.js';
import { RedisService } from './redis.service.js';

/**
 * Takes a slot if fewer than `limit` unexpired members remain: members are scored by their
 * expiry (Redis's own clock, so replicas' clocks need not agree), expired ones are dropped
 * first. Answers `{1, 0}`, or `{0, ms until the earliest member expires}`.
 */
const TAKE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2]) - now}
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return {1, 0}
`;

/** Pushes the expiry of members that are still held (and still there) `ARGV[1]` ms ahead. */
const REFRESH = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i]) end
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 0
`;

/**
 * Slots shared by every replica: a Redis sorted set per limited thing of
 * `${instanceId}:${id}` members scored by their expiry.
 */
export class RedisSlots extends ExpiringSlots {
  private readonly outage: FailOpenLog;

  constructor(
    private readonly redis: RedisService,
    what: string,
  ) {
    super();
    this.outage = new FailOpenLog(new Logger(RedisSlots.name), what);
  }

  async take(key: string, member: string, ttlMs: number, limit: number): Promise<SlotAnswer> {
    if (!this.redis.isReady) {
      this.outage.failed(new Error('not connected'));
      return { taken: null };
    }
    try {
      const [taken, retryAfterMs] = (await this.redis.client.eval(TAKE, 1, key, member, ttlMs, limit)) as [
        number,
        number,
      ];
      this.outage.succeeded();
      return taken === 1 ? { taken: true } : { taken: false, retryAfterMs };
    } catch (error) {
      this.outage.failed(error);
      return { taken: null };
    }
  }

  /** A refresh that fails is retried on the next one, and the TTL covers the gap. */
  async refresh(key: string, members: readonly string[], ttlMs: number): Promise<void> {
    if (members.length === 0 || !this.redis.isReady) return;
    await this.redis.client.eval(REFRESH, 1, key, ttlMs, ...members).catch(() => undefined);
  }

  async release(key: string, member: string): Promise<void> {
    if (!this.redis.isReady) return;
    await this.redis.client.zrem(key, member).catch(() => undefined);
  }
}

@Injectable()
export class RedisSlotStores extends SlotStores {
  constructor(private readonly redis: RedisService) {
    super();
  }

  open(what: string): ExpiringSlots {
    return new RedisSlots(this.redis, what);
  }
}
