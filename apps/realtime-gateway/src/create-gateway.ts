import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '#config';
import { keepIdleSocketsOpen } from '#health';
import { AppLogger, DEFAULT_LOG_LEVELS } from '#logging';
import { BuildcastGatewayModule } from './gateway.module.js';
import { gatewayOptionsFrom } from './embedding/gateway-options.js';
import { pathnameOf } from './socket-server/gateway-socket-server.js';

/** Builds the gateway exactly as production runs it (tests run several in one process). */
export async function createGateway(
  config: AppConfig,
  levels: LogLevel[] = DEFAULT_LOG_LEVELS,
): Promise<INestApplication> {
  const logger = new AppLogger({ app: 'gateway', format: config.logFormat, levels });
  const options = gatewayOptionsFrom(config);
  const app = await NestFactory.create(BuildcastGatewayModule.forRoot(options), { logger });
  const server = app.getHttpServer() as Server;
  refuseUpgradesOutside(server, options.path ?? '/ws');
  keepIdleSocketsOpen(server);
  app.enableShutdownHooks();
  return app;
}

/** Alone on its port, the gateway answers an upgrade on any other path 404 (as the API's `/ws` forwarding does). */
function refuseUpgradesOutside(server: Server, path: string): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    if (pathnameOf(request.url) !== path) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
}
