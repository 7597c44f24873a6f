import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { GatewayRoutes } from '../embedding/gateway-options.js';
import { GATEWAY_ROUTES } from '../embedding/gateway-routes.js';
import { GatewayMetrics } from './gateway-metrics.js';

/**
 * `GET /metrics` on METRICS_PORT at METRICS_BIND_ADDRESS (loopback by default), never on the
 * public gateway port: connection counts, rooms and process figures are for operators only.
 * An app that mounts the gateway turns it on with the module's `metrics` option.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private readonly server: Server = createServer((request, response) => void this.answer(request, response));

  constructor(
    @Inject(GATEWAY_ROUTES) private readonly routes: GatewayRoutes,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** The actual port (METRICS_PORT=0 picks a free one). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.routes.metrics) return;
    const { port: metricsPort, host: metricsBindAddress } = this.routes.metrics;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: Error) =>
        reject(
          new Error(
            `Metrics cannot listen on ${metricsBindAddress}:${metricsPort} (METRICS_PORT): ${error.message}`,
          ),
        ),
      );
      this.server.listen(metricsPort, metricsBindAddress, resolve);
    });
    this.logger.log(`Prometheus metrics on http://${metricsBindAddress}:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const pathname = new URL(request.url ?? '/', 'http://metrics').pathname;
    if (request.method !== 'GET' || pathname !== '/metrics') {
      response
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Not found: GET /metrics\n');
      return;
    }
    try {
      const text = await this.metrics.registry.metrics();
      response.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text);
    } catch (error) {
      this.logger.warn(`Metrics scrape failed: ${(error as Error).message}`);
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics unavailable\n');
    }
  }
}
