import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig, ConfigModule } from '#config';
import { BusModule } from '#bus';
import { PersistenceModule } from '#persistence';
import { BuildsModule } from './builds/builds.module.js';
import { HealthModule } from './health/health.module.js';
import { LimitsModule } from './limits/limits.module.js';
import { RateLimitGuard } from './limits/rate-limit.guard.js';
import { ProjectsModule } from './projects/projects.module.js';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize }),
        BusModule,
        LimitsModule,
        ProjectsModule,
        BuildsModule,
        HealthModule,
      ],
      providers: [
        // Global guards run in this order: the rate limits first, so that floods of unknown
        // or invalid credentials are refused before authentication does any work.
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
