import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '#config';
import { PresenceService } from '#bus';
import { allowedOrigins } from '#identity';
import { AppLogger, DEFAULT_LOG_LEVELS } from '#logging';
import { GatewayModule } from './gateway.module.js';
import { LeanWsAdapter } from './lean-ws-adapter.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';

/** Builds the gateway exactly as production runs it (tests run several in one process). */
export async function createGateway(
  config: AppConfig,
  levels: LogLevel[] = DEFAULT_LOG_LEVELS,
): Promise<INestApplication> {
  const logger = new AppLogger({ app: 'gateway', format: config.logFormat, levels });
  const app = await NestFactory.create(GatewayModule.forRoot(config), { logger });
  const metrics = app.get(GatewayMetrics);
  app.useWebSocketAdapter(
    new LeanWsAdapter(app, {
      // The web app's origins (PUBLIC_URL, CORS_ORIGINS), as the API allows them.
      allowedOrigins: allowedOrigins(config.publicUrl, config.corsOrigins, config.publicUrlIsSet),
      originRefused: () => metrics.auth.inc({ outcome: 'origin_refused' }),
    }),
  );
  app.enableShutdownHooks();
  await app.get(PresenceService).announce('gateway');
  return app;
}
