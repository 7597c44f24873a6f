import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigurationError, loadConfig } from '#config';
import { PresenceService } from '#bus';
import { GatewayModule } from './gateway.module.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(GatewayModule.forRoot(config), { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  app.get(PresenceService).announce('gateway');
  await app.listen(config.gatewayPort);
  Logger.log(`Realtime gateway (placeholder) on http://localhost:${config.gatewayPort}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
