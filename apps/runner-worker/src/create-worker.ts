import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext, LogLevel } from '@nestjs/common';
import { AppConfig } from '#config';
import { PresenceService } from '#bus';
import { WorkerModule } from './worker.module.js';

/** A runner-worker: an application context (no HTTP server) consuming the `builds` queue. */
export async function createWorker(
  config: AppConfig,
  logger: LogLevel[] = ['error', 'warn', 'log'],
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger,
  });
  app.enableShutdownHooks();
  await app.get(PresenceService).announce('runner');
  return app;
}
