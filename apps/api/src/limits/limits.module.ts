import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '#config';
import { RedisService } from '#bus';
import { LongPolls } from './long-polls.js';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';
import { throttlerOptions } from './throttlers.js';

/**
 * Abuse limits of the API, counted in Redis so they hold across replicas (on the Postgres
 * transport, in the one API's memory). The guard itself (RateLimitGuard) is registered by
 * ApiModule, first among the global guards.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      // RedisService exists on the Redis transport only.
      inject: [AppConfig, { token: RedisService, optional: true }],
      useFactory: (config: AppConfig, redis: RedisService | undefined) =>
        throttlerOptions(config.limits, redis ? new RedisThrottlerStorage(redis, config) : undefined),
    }),
  ],
  providers: [LongPolls],
  exports: [LongPolls],
})
export class LimitsModule {}
