import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigurationError, loadConfig } from '#config';
import { DatabaseUnreachableError, waitForDatabase } from '#persistence';
import { createWorker } from './create-worker.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  await waitForDatabase(config.databaseUrl);
  await createWorker(config);
  Logger.log(`Runner-worker consuming "builds" (concurrency ${config.workerConcurrency})`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  const known = error instanceof ConfigurationError || error instanceof DatabaseUnreachableError;
  console.error(known ? error.message : error);
  process.exit(1);
});
