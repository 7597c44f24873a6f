import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { GatewayRoutes } from '../embedding/gateway-options.js';
import { GATEWAY_ROUTES } from '../embedding/gateway-routes.js';
import { GatewayMetrics } from './gateway-metrics.js';

/**
 * `GET /metrics` on METRICS_PORT at METRICS_BIND_ADDRESS (loopback by default), never on the
 * public gateway port: connection counts, rooms and process figures are for operators only.
 * An app that mounts the gateway turns it on with the module's `metrics` option.
 * GatewayMetrics closes it on shutdown.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap {
  constructor(
    @Inject(GATEWAY_ROUTES) private readonly routes: GatewayRoutes,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** The actual port (METRICS_PORT=0 picks a free one). */
  get port(): number {
    return this.metrics.endpoint.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.routes.metrics) return;
    await this.metrics.endpoint.listen(this.routes.metrics.port, this.routes.metrics.host, 'METRICS_PORT');
  }
}
