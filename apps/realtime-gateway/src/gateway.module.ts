import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '#config';
import { BusModule } from '#bus';
import { healthControllerAt, InfrastructureHealthModule } from '#health';
import { IdentityModule } from '#identity';
import { PersistenceModule } from '#persistence';
import { GatewayAuth } from './auth/gateway-auth.service.js';
import { Connections } from './connections/connections.service.js';
import { ConnectionsPerIp } from './connections/connections-per-ip.js';
import { resolveGatewayOptions, type BuildcastGatewayOptions } from './embedding/gateway-options.js';
import { GATEWAY_ROUTES } from './embedding/gateway-routes.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { MetricsServer } from './metrics/metrics-server.js';
import { GatewayPresence } from './presence/gateway-presence.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RoomRegistry } from './rooms/room-registry.js';
import { GatewaySocketServer } from './socket-server/gateway-socket-server.js';
import { TracingShutdown } from '#tracing';

/**
 * The realtime gateway: authenticated WebSocket rooms at `path` (/ws) on the app's HTTP
 * server, plus a health route; /metrics on a port of its own. Credentials are checked by the
 * API's IdentityService, on the same Postgres (Buildcast's named DataSource). The standalone
 * gateway (create-gateway.ts) is this module alone; another Nest app can mount it next to its
 * own controllers (docs/embedding.md).
 */
@Module({})
export class BuildcastGatewayModule {
  static forRoot(options: BuildcastGatewayOptions): DynamicModule {
    const { config, routes } = resolveGatewayOptions(options);
    return {
      module: BuildcastGatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        BusModule.forRoot(config.transport),
        // Reads only: a small pool is plenty (catch-ups are paged and per room).
        PersistenceModule.forRoot({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize }),
        InfrastructureHealthModule,
        IdentityModule,
      ],
      controllers: routes.healthPath === false ? [] : [healthControllerAt(routes.healthPath)],
      providers: [
        { provide: GATEWAY_ROUTES, useValue: routes },
        GatewayMetrics,
        TracingShutdown,
        MetricsServer,
        Connections,
        ConnectionsPerIp,
        RoomRegistry,
        GatewayAuth,
        RealtimeGateway,
        GatewaySocketServer,
        GatewayPresence,
      ],
      exports: [GatewayMetrics, MetricsServer],
    };
  }
}
