import { Inject, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigModule } from '#config';
import { BusModule } from '#bus';
import { healthControllerAt, InfrastructureHealthModule } from '#health';
import { IdentityModule } from '#identity';
import { PersistenceModule } from '#persistence';
import { GatewayAuth } from './auth/gateway-auth.service.js';
import { Connections } from './connections/connections.service.js';
import { ConnectionsPerIp } from './connections/connections-per-ip.js';
import {
  resolveGatewayOptions,
  type BuildcastGatewayOptions,
  type GatewayRoutes,
} from './embedding/gateway-options.js';
import { GATEWAY_ROUTES } from './embedding/gateway-routes.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
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
export class BuildcastGatewayModule implements OnApplicationBootstrap {
  constructor(
    @Inject(GATEWAY_ROUTES) private readonly routes: GatewayRoutes,
    private readonly metrics: GatewayMetrics,
  ) {}

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
        Connections,
        ConnectionsPerIp,
        RoomRegistry,
        GatewayAuth,
        RealtimeGateway,
        GatewaySocketServer,
        GatewayPresence,
      ],
      exports: [GatewayMetrics],
    };
  }

  /**
   * `GET /metrics` on METRICS_PORT at METRICS_BIND_ADDRESS (loopback by default), never on
   * the public port: connection counts, rooms and process figures are for operators only.
   * An app that mounts the gateway turns it on with the `metrics` option; GatewayMetrics
   * closes it on shutdown.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.routes.metrics) return;
    await this.metrics.endpoint.listen(this.routes.metrics.port, this.routes.metrics.host, 'METRICS_PORT');
  }
}
