import { BullModule } from '@nestjs/bullmq';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AppConfig } from '#config';
import { BUILDS_QUEUE } from '#contracts';
import { CancelRequests } from './cancel-requests.js';
import { ChannelSubscriber } from './channel-subscriber.js';
import { EventPublisher } from './event-publisher.js';
import { PresenceService } from './presence.service.js';
import { REDIS_COMMAND_TIMEOUT_MS, RedisService } from './redis.service.js';

/** Redis pub/sub for every app that imports it. */
@Global()
@Module({
  providers: [RedisService, EventPublisher, ChannelSubscriber, PresenceService, CancelRequests],
  exports: [RedisService, EventPublisher, ChannelSubscriber, PresenceService, CancelRequests],
})
export class BusModule {}

/** How long the API waits for the queue to take a job before it leaves it to the sweeper. */
export const ENQUEUE_TIMEOUT_MS = 2000;

/**
 * - producer (the API): no offline queue and a command timeout, so a request never waits for
 *   Redis to come back (BullMQ's "failing fast when Redis is down");
 * - consumer (runner-workers): BullMQ's Worker needs `maxRetriesPerRequest: null` and the
 *   offline queue, so it resumes by itself after an outage.
 */
export type QueueRole = 'producer' | 'consumer';

/**
 * The `builds` queue, shared by its producer (the API) and its consumer (runner-workers).
 * A build runs at most once: no retries, because a rerun would append a second history.
 * Jobs carry ids only (the request is in Postgres), so finished jobs cost a few hundred bytes.
 */
@Module({})
export class BuildsQueueModule {
  static register(role: QueueRole): DynamicModule {
    return {
      module: BuildsQueueModule,
      imports: [
        BullModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            connection:
              role === 'producer'
                ? {
                    url: config.redisUrl,
                    maxRetriesPerRequest: null,
                    enableOfflineQueue: false,
                    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
                  }
                : { url: config.redisUrl, maxRetriesPerRequest: null },
            prefix: config.queuePrefix,
            defaultJobOptions: {
              attempts: 1,
              removeOnComplete: { age: 3600, count: 1000 },
              removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
            },
          }),
        }),
        BullModule.registerQueue({ name: BUILDS_QUEUE }),
      ],
      exports: [BullModule],
    };
  }
}
