import { Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_GUARD, RouterModule } from '@nestjs/core';
import { AppConfig, ConfigModule } from '#config';
import { BusModule } from '#bus';
import { IdentityModule } from '#identity';
import { PersistenceModule } from '#persistence';
import { BuildsController } from './builds/builds.controller.js';
import { BuildsModule } from './builds/builds.module.js';
import {
  API_ROUTES,
  resolveApiOptions,
  type ApiRoutes,
  type BuildcastApiOptions,
} from './embedding/api-options.js';
import { asBuildcastRoutes } from './embedding/buildcast-routes.js';
import { HealthController } from './health/health.controller.js';
import { IngestController } from './ingest/ingest.controller.js';
import { HealthModule } from './health/health.module.js';
import { AuthGuard } from './identity/auth.guard.js';
import { IdentityApiModule } from './identity/identity-api.module.js';
import { KeysController } from './identity/keys.controller.js';
import { SignInController } from './identity/sign-in.controller.js';
import { TokensController } from './identity/tokens.controller.js';
import { bodyParsers } from './input/json-body.js';
import { LimitsModule } from './limits/limits.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { RateLimitGuard } from './limits/rate-limit.guard.js';
import { ApiPresence } from './presence/api-presence.js';
import { ProjectsController } from './projects/projects.controller.js';
import { ProjectsModule } from './projects/projects.module.js';
import { TracingShutdown } from '#tracing';

const CONTROLLERS = [
  ProjectsController,
  BuildsController,
  IngestController,
  KeysController,
  SignInController,
  TokensController,
  HealthController,
];
asBuildcastRoutes(...CONTROLLERS);

/** The standalone API's routes: under the app's global prefix (`api`), bodies parsed app-wide. */
const STANDALONE_ROUTES: ApiRoutes = { prefix: null, health: true };

/**
 * The REST API: projects, builds, snapshots, keys, sign-in, tokens and health. The standalone
 * API (create-api.ts) is this module plus app-wide settings (body parser, CORS, docs, the web
 * app); another Nest app mounts it through BuildcastApiModule (docs/embedding.md).
 */
@Module({})
export class ApiModule implements NestModule {
  static forRoot(config: AppConfig, routes: ApiRoutes = STANDALONE_ROUTES): DynamicModule {
    const features = [
      IdentityApiModule,
      ProjectsModule,
      BuildsModule,
      ...(routes.health ? [HealthModule] : []),
    ];
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize }),
        BusModule.forRoot(config.transport),
        ObservabilityModule,
        IdentityModule,
        LimitsModule,
        IdentityApiModule,
        ProjectsModule,
        BuildsModule.forRoot(config.transport),
        ...(routes.health ? [HealthModule] : []),
        ...(routes.prefix === null
          ? []
          : [RouterModule.register([{ path: routes.prefix, module: ApiModule, children: features }])]),
      ],
      providers: [
        // Global guards run in this order, so both are listed here: the rate limits first, so
        // that floods of unknown or invalid credentials are refused before authentication
        // does any work (a bad key costs a scrypt hash); then who is asking and what they may do.
        // Both act on Buildcast's routes only (asBuildcastRoutes): a host app's stay its own.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: API_ROUTES, useValue: routes },
        ApiPresence,
        TracingShutdown,
      ],
    };
  }

  constructor(
    private readonly config: AppConfig,
    @Inject(API_ROUTES) private readonly routes: ApiRoutes,
  ) {}

  /**
   * Mounted in another app: the bodies of Buildcast's routes, JSON and NDJSON, with its limits
   * (unless the host parsed them already: Nest's own parser takes JSON, never NDJSON).
   */
  configure(consumer: MiddlewareConsumer): void {
    if (this.routes.prefix === null) return; // the standalone API parses bodies app-wide
    consumer.apply(...bodyParsers(this.config.maxBodyBytes)).forRoutes(...CONTROLLERS);
  }
}

/**
 * The API as a module another Nest app mounts next to its own controllers, with options of
 * its own (docs/embedding.md).
 */
@Module({})
export class BuildcastApiModule {
  static forRoot(options: BuildcastApiOptions): DynamicModule {
    const { config, routes } = resolveApiOptions(options);
    return { module: BuildcastApiModule, imports: [ApiModule.forRoot(config, routes)] };
  }
}
