import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfig, ConfigModule } from '#config';
import { BusModule } from '#bus';
import { InfrastructureHealthController, InfrastructureHealthModule } from '#health';
import { IdentityModule } from '#identity';
import { PersistenceModule } from '#persistence';
import { GatewayAuth } from './auth/gateway-auth.service.js';
import { Connections } from './connections/connections.service.js';
import { ConnectionsPerIp } from './connections/connections-per-ip.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { MetricsServer } from './metrics/metrics-server.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RoomRegistry } from './rooms/room-registry.js';
import { TracingShutdown } from '#tracing';

/**
 * The realtime gateway: authenticated WebSocket rooms at /ws, plus /health; /metrics on a
 * port of its own. Credentials are checked by the API's IdentityService, on the same Postgres.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        BusModule.forRoot(config.transport),
        // Reads only: a small pool is plenty (catch-ups are paged and per room).
        PersistenceModule.forRoot({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize }),
        InfrastructureHealthModule,
        IdentityModule,
      ],
      controllers: [InfrastructureHealthController],
      providers: [
        GatewayMetrics,
        TracingShutdown,
        MetricsServer,
        Connections,
        ConnectionsPerIp,
        RoomRegistry,
        GatewayAuth,
        RealtimeGateway,
      ],
    };
  }
}
