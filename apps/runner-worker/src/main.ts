import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigurationError, loadConfig } from '#config';
import { createWorker } from './create-worker.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  await createWorker(config);
  Logger.log(`Runner-worker consuming "builds" (concurrency ${config.workerConcurrency})`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
