import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import type { Registry } from 'prom-client';

/**
 * `GET /metrics` on a listener of its own, never on an app's public port: figures about
 * connections, routes and the process are for operators only (METRICS_BIND_ADDRESS, loopback
 * by default). Listens only when asked (`listen`), so tests choose their ports.
 */
export class MetricsEndpoint {
  private readonly logger = new Logger('Metrics');
  private readonly server: Server = createServer((request, response) => void this.answer(request, response));

  constructor(private readonly registry: Registry) {}

  /** The actual port (0 picks a free one). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** `variable` names the port's setting in the error when the port is taken. */
  async listen(port: number, host: string, variable: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: Error) =>
        reject(new Error(`Metrics cannot listen on ${host}:${port} (${variable}): ${error.message}`)),
      );
      this.server.listen(port, host, resolve);
    });
    this.logger.log(`Prometheus metrics on http://${host}:${this.port}/metrics`);
  }

  async close(): Promise<void> {
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
      const text = await this.registry.metrics();
      response.writeHead(200, { 'content-type': this.registry.contentType }).end(text);
    } catch (error) {
      this.logger.warn(`Metrics scrape failed: ${(error as Error).message}`);
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics unavailable\n');
    }
  }
}
