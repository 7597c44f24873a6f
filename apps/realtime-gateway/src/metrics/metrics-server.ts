import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '#config';
import { GatewayMetrics } from './gateway-metrics.js';

/**
 * `GET /metrics` on METRICS_PORT at METRICS_BIND_ADDRESS (loopback by default), never on the
 * public gateway port: connection counts, rooms and process figures are for operators only.
 * GatewayMetrics closes it on shutdown.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** The actual port (METRICS_PORT=0 picks a free one). */
  get port(): number {
    return this.metrics.endpoint.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.metrics.endpoint.listen(
      this.config.metricsPort,
      this.config.metricsBindAddress,
      'METRICS_PORT',
    );
  }
}
