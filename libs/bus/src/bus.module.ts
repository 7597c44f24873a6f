import { BullModule } from '@nestjs/bullmq';
import {
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { AppConfig, type Transport } from '#config';
import { BUILDS_QUEUE, LIVE_BUILDS_QUEUE } from '#contracts';
import { BuildQueue } from './build-queue.js';
import { CancelRequests } from './cancel-requests.js';
import { ChannelPublisher } from './channels/channel-publisher.js';
import { ChannelSubscriber } from './channels/channel-subscriber.js';
import { MessageSource } from './channels/message-source.js';
import { EventPublisher } from './event-publisher.js';
import { SlotStores } from './limits/expiring-slots.js';
import { MemorySlotStores } from './limits/memory-slots.js';
import { PostgresBuildQueue } from './postgres/postgres-build-queue.js';
import { PostgresChannelPublisher } from './postgres/postgres-channel-publisher.js';
import { PostgresListener } from './postgres/postgres-listener.js';
import { PostgresPresence } from './postgres/postgres-presence.js';
import { PresenceService } from './presence.js';
import { RedisBuildQueue } from './redis/redis-build-queue.js';
import { RedisChannelPublisher, RedisMessageSource } from './redis/redis-channels.js';
import { RedisPresence } from './redis/redis-presence.js';
import { RedisSlotStores } from './redis/redis-slots.js';
import { REDIS_COMMAND_TIMEOUT_MS, RedisService } from './redis/redis.service.js';

/** What each transport provides for the bus's interfaces. */
const TRANSPORT_PROVIDERS: Record<Transport, Provider[]> = {
  redis: [
    RedisService,
    { provide: MessageSource, useClass: RedisMessageSource },
    { provide: ChannelPublisher, useClass: RedisChannelPublisher },
    { provide: PresenceService, useClass: RedisPresence },
    { provide: SlotStores, useClass: RedisSlotStores },
  ],
  postgres: [
    PostgresListener,
    { provide: MessageSource, useExisting: PostgresListener },
    { provide: ChannelPublisher, useClass: PostgresChannelPublisher },
    { provide: PresenceService, useClass: PostgresPresence },
    { provide: SlotStores, useClass: MemorySlotStores },
  ],
};

/** Says at start-up which transport this app runs on. */
@Injectable()
class TransportLog implements OnModuleInit {
  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    const redis = new URL(this.config.redisUrl);
    new Logger('Transport').log(
      this.config.transport === 'redis'
        ? `Announcements and the build queue run on Redis at ${redis.host} (BUILDCAST_TRANSPORT=redis)`
        : 'Announcements and the build queue run on Postgres: LISTEN/NOTIFY and queued sessions (BUILDCAST_TRANSPORT=postgres)',
    );
  }
}

/**
 * Announcements (committed events, session summaries, cancel requests, revocations),
 * presence and concurrency limits for every app that imports it, over Redis or over
 * Postgres (BUILDCAST_TRANSPORT): the rest of the code sees only the interfaces.
 */
@Module({})
export class BusModule {
  static forRoot(transport: Transport): DynamicModule {
    const common = [ChannelSubscriber, EventPublisher, CancelRequests];
    const providers = [...TRANSPORT_PROVIDERS[transport], ...common, TransportLog];
    const exported = [MessageSource, ChannelPublisher, PresenceService, SlotStores, ...common];
    return {
      module: BusModule,
      global: true,
      providers,
      exports: transport === 'redis' ? [RedisService, ...exported] : exported,
    };
  }
}

/**
 * - producer (the API): no offline queue and a command timeout, so a request never waits for
 *   Redis to come back (BullMQ's "failing fast when Redis is down");
 * - consumer (runner-workers): BullMQ's Worker needs `maxRetriesPerRequest: null` and the
 *   offline queue, so it resumes by itself after an outage.
 */
export type QueueRole = 'producer' | 'consumer';

/**
 * The `builds` queue, shared by its producer (the API) and its consumer (runner-workers):
 * provides BuildQueue. On Redis, a BullMQ queue; a build runs at most once: no retries,
 * because a rerun would append a second history. Jobs carry ids only (the request is in
 * Postgres), so finished jobs cost a few hundred bytes. On Postgres, the queued sessions.
 */
@Module({})
export class BuildsQueueModule {
  static register(role: QueueRole, transport: Transport): DynamicModule {
    if (transport === 'postgres') {
      return {
        module: BuildsQueueModule,
        providers: [{ provide: BuildQueue, useClass: PostgresBuildQueue }],
        exports: [BuildQueue],
      };
    }
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
        BullModule.registerQueue({ name: BUILDS_QUEUE }, { name: LIVE_BUILDS_QUEUE }),
      ],
      providers: [{ provide: BuildQueue, useClass: RedisBuildQueue }],
      exports: [BullModule, BuildQueue],
    };
  }
}
