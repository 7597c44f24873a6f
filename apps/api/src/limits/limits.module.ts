import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '#config';
import { RedisService } from '#bus';
import { LongPolls } from './long-polls.js';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';
import { throttlerOptions } from './throttlers.js';

/**
 * Abuse limits of the API, counted in Redis so they hold across replicas. The guard itself
 * (RateLimitGuard) is registered by ApiModule, first among the global guards.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RedisService],
      useFactory: (config: AppConfig, redis: RedisService) =>
        throttlerOptions(config.limits, new RedisThrottlerStorage(redis, config)),
    }),
  ],
  providers: [LongPolls],
  exports: [LongPolls],
})
export class LimitsModule {}
