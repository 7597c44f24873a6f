import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#config';
import { PresenceService, type ServiceName } from '../presence.js';
import { RedisService } from './redis.service.js';

const TTL_MS = 15_000;
const REFRESH_MS = 5_000;

/** Each running process keeps a short-lived key in Redis, refreshed every few seconds. */
@Injectable()
export class RedisPresence extends PresenceService implements OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private announced: ServiceName | undefined;
  private refresh: (() => void) | undefined;

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  /** Scoped by the queue prefix: stacks sharing one Redis (tests, staging) don't see each other. */
  private key(service: ServiceName, instance: string): string {
    return `buildcast:alive:${this.config.queuePrefix}:${service}:${instance}`;
  }

  /** Starts refreshing this process's key; failures are retried on the next tick. */
  async announce(service: ServiceName): Promise<void> {
    this.announced = service;
    const write = () =>
      this.redis.client
        .set(this.key(service, this.instanceId), Date.now(), 'PX', TTL_MS)
        .then(() => undefined)
        .catch(() => undefined);
    const refresh = (this.refresh = () => void write());
    // Back at once after an outage (or a late first connection), not up to REFRESH_MS later.
    this.redis.client.on('ready', refresh);
    this.timer = setInterval(refresh, REFRESH_MS);
    this.timer.unref();
    await write();
  }

  async instances(service: ServiceName): Promise<number> {
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await this.redis.client.scan(
        cursor,
        'MATCH',
        this.key(service, '*'),
        'COUNT',
        1000,
      );
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.refresh) this.redis.client.off('ready', this.refresh);
    if (this.announced && this.redis.client.status === 'ready') {
      await this.redis.client.del(this.key(this.announced, this.instanceId));
    }
  }
}
