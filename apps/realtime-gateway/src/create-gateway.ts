import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '#config';
import { PresenceService } from '#bus';
import { GatewayModule } from './gateway.module.js';
import { LeanWsAdapter } from './lean-ws-adapter.js';

/** Builds the gateway exactly as production runs it (tests run several in one process). */
export async function createGateway(
  config: AppConfig,
  logger: LogLevel[] = ['error', 'warn', 'log'],
): Promise<INestApplication> {
  const app = await NestFactory.create(GatewayModule.forRoot(config), { logger });
  app.useWebSocketAdapter(new LeanWsAdapter(app));
  app.enableShutdownHooks();
  app.get(PresenceService).announce('gateway');
  return app;
}
