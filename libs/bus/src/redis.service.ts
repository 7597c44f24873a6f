import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '#config';
import { redisOptionsFromUrl } from './redis-options.js';

/**
 * The one owner of this process's Redis connections: `client` for commands and PUBLISH,
 * and `duplicate()` for connections that enter subscriber mode. All are closed on shutdown.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly connections: Redis[] = [];
  readonly client: Redis;

  constructor(config: AppConfig) {
    this.client = this.track(
      new Redis({ ...redisOptionsFromUrl(config.redisUrl), lazyConnect: false }),
      'client',
    );
  }

  /** A new connection with the same options, e.g. for SUBSCRIBE. */
  duplicate(role: string): Redis {
    return this.track(this.client.duplicate(), role);
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
