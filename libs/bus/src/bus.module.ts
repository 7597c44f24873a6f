import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { BUILDS_QUEUE } from '#contracts';
import { CancelRequests } from './cancel-requests.js';
import { ChannelSubscriber } from './channel-subscriber.js';
import { EventPublisher } from './event-publisher.js';
import { PresenceService } from './presence.service.js';
import { RedisService } from './redis.service.js';

/** Redis pub/sub for every app that imports it. */
@Global()
@Module({
  providers: [RedisService, EventPublisher, ChannelSubscriber, PresenceService, CancelRequests],
  exports: [RedisService, EventPublisher, ChannelSubscriber, PresenceService, CancelRequests],
})
export class BusModule {}

/**
 * The `builds` queue, shared by its producer (the API) and its consumer (runner-workers).
 * A build runs at most once: no retries, because a rerun would append a second history.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: { url: config.redisUrl, maxRetriesPerRequest: null },
        prefix: config.queuePrefix,
        defaultJobOptions: {
          attempts: 1,
          removeOnComplete: { age: 3600, count: 1000 },
          removeOnFail: { age: 24 * 3600 },
        },
      }),
    }),
    BullModule.registerQueue({ name: BUILDS_QUEUE }),
  ],
  exports: [BullModule],
})
export class BuildsQueueModule {}
