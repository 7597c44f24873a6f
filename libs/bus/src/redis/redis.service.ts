import { once } from 'node:events';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '#config';
import { redisOptionsFromUrl } from './redis-options.js';

/** How long a command on `client` may take before it fails (ioredis `commandTimeout`). */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** How long start-up waits for the first connection; the app starts without Redis after that. */
const FIRST_CONNECT_WAIT_MS = 3000;

/**
 * The one owner of this process's Redis connections: `client` for commands and PUBLISH,
 * and `duplicate()` for connections that enter subscriber mode. All are closed on shutdown.
 *
 * Redis only announces, so nothing may wait for it: `client` has no offline queue (a command
 * while disconnected fails at once instead of waiting for the reconnect) and a command
 * timeout (a Redis that is connected but frozen fails it after REDIS_COMMAND_TIMEOUT_MS).
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly connections: Redis[] = [];
  readonly client: Redis;

  constructor(config: AppConfig) {
    this.client = this.track(
      new Redis({
        ...redisOptionsFromUrl(config.redisUrl),
        lazyConnect: false,
        enableOfflineQueue: false,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      }),
      'client',
    );
  }

  /** Without an offline queue, the first commands would fail while the connection is being made. */
  async onModuleInit(): Promise<void> {
    if (this.client.status === 'ready') return;
    const timer = AbortSignal.timeout(FIRST_CONNECT_WAIT_MS);
    await once(this.client, 'ready', { signal: timer }).catch(() => {
      this.logger.warn(`Redis is not reachable yet; starting without it`);
    });
  }

  /** True while `client` is connected (a command now will be sent, not refused). */
  get isReady(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * A new connection for SUBSCRIBE. It keeps the offline queue and has no command timeout:
   * a SUBSCRIBE made while Redis is away takes effect when it is back, and callers on
   * request paths check `ready` themselves (see ChannelSubscriber.waitFor).
   */
  duplicate(role: string): Redis {
    return this.track(this.client.duplicate({ enableOfflineQueue: true, commandTimeout: undefined }), role);
  }

  async onApplicationShutdown(): Promise<void> {
    // QUIT lets pending replies arrive; a connection that is not up is just dropped.
    await Promise.all(
      this.connections.map(async (connection) => {
        if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
        else connection.disconnect();
      }),
    );
  }

  private track(connection: Redis, role: string): Redis {
    // Without an 'error' listener ioredis reports every failed reconnect as unhandled.
    let reported = false;
    connection.on('error', (error: Error) => {
      if (!reported) this.logger.warn(`Redis ${role} connection: ${error.message}`);
      reported = true;
    });
    connection.on('ready', () => {
      if (reported) this.logger.log(`Redis ${role} connection restored`);
      reported = false;
    });
    this.connections.push(connection);
    return connection;
  }
}
