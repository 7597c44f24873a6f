import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfig, ConfigModule } from '#config';
import { BusModule } from '#bus';
import { InfrastructureHealthModule } from '#health';
import { PersistenceModule } from '#persistence';
import { Connections } from './connections/connections.service.js';
import { ConnectionsPerIp } from './connections/connections-per-ip.js';
import { HealthController } from './health/health.controller.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RoomRegistry } from './rooms/room-registry.js';

/** The realtime gateway: WebSocket rooms at /ws, plus /health and /metrics. */
@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        BusModule,
        // Reads only: a small pool is plenty (catch-ups are paged and per room).
        PersistenceModule.forRoot({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize }),
        InfrastructureHealthModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [GatewayMetrics, Connections, ConnectionsPerIp, RoomRegistry, RealtimeGateway],
    };
  }
}
