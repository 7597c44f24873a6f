import { NestFactory } from '@nestjs/core';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { AppConfig } from '#config';
import { PresenceService } from '#bus';
import { AppLogger, DEFAULT_LOG_LEVELS } from '#logging';
import { WorkerModule } from './worker.module.js';

/**
 * A runner-worker consuming the `builds` queue, initialised but not listening: main.ts serves
 * its `/health` and `/metrics` on RUNNER_PORT (tests listen on a free port when they need it).
 */
export async function createWorker(
  config: AppConfig,
  levels: LogLevel[] = DEFAULT_LOG_LEVELS,
): Promise<INestApplication> {
  const logger = new AppLogger({ app: 'runner', format: config.logFormat, levels });
  const app = await NestFactory.create(WorkerModule.forRoot(config), { logger });
  app.enableShutdownHooks();
  try {
    await app.init();
    await app.get(PresenceService).announce('runner');
  } catch (error) {
    await app.close().catch(() => undefined); // the connections its providers opened
    throw error;
  }
  return app;
}
