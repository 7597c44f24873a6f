import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '#config';
import { PresenceService } from '#bus';
import { allowedOrigins } from '#identity';
import { GatewayModule } from './gateway.module.js';
import { LeanWsAdapter } from './lean-ws-adapter.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';

/** Builds the gateway exactly as production runs it (tests run several in one process). */
export async function createGateway(
  config: AppConfig,
  logger: LogLevel[] = ['error', 'warn', 'log'],
): Promise<INestApplication> {
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
