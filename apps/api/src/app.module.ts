import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig, ConfigModule } from '#config';
import { BusModule } from '#bus';
import { IdentityModule } from '#identity';
import { PersistenceModule } from '#persistence';
import { BuildsModule } from './builds/builds.module.js';
import { HealthModule } from './health/health.module.js';
import { AuthGuard } from './identity/auth.guard.js';
import { IdentityApiModule } from './identity/identity-api.module.js';
import { LimitsModule } from './limits/limits.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { RateLimitGuard } from './limits/rate-limit.guard.js';
import { ProjectsModule } from './projects/projects.module.js';
import { TracingShutdown } from '#tracing';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize }),
        BusModule.forRoot(config.transport),
        ObservabilityModule,
        IdentityModule,
        IdentityApiModule,
        LimitsModule,
        ProjectsModule,
        BuildsModule.forRoot(config.transport),
        HealthModule,
      ],
      providers: [
        // Global guards run in this order, so both are listed here: the rate limits first, so
        // that floods of unknown or invalid credentials are refused before authentication
        // does any work (a bad key costs a scrypt hash); then who is asking and what they may do.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        TracingShutdown,
      ],
    };
  }
}
