import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { ConfigurationError, loadConfig } from '#config';
import { DatabaseUnreachableError, waitForDatabase } from '#persistence';
import { startTracing } from '#tracing';
import { createWorker } from './create-worker.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; registered before the app makes a span
  // (TracingShutdown, in the app's module, exports the last spans).
  startTracing('buildcast-runner');
  await waitForDatabase(config.databaseUrl);
  const app = await createWorker(config);
  await app.listen(config.runnerPort, config.bindAddress).catch(async (error: Error) => {
    await app.close(); // ends what it may have claimed meanwhile
    throw new ConfigurationError(
      `The runner cannot listen on ${config.bindAddress}:${config.runnerPort} (RUNNER_PORT): ${error.message}`,
    );
  });
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  Logger.log(
    `Runner-worker consuming "builds" (concurrency ${config.workerConcurrency}); ` +
      `/health and /metrics on http://${config.bindAddress}:${port}`,
    'Bootstrap',
  );
}

bootstrap().catch((error: unknown) => {
  const known = error instanceof ConfigurationError || error instanceof DatabaseUnreachableError;
  console.error(known ? error.message : error);
  process.exit(1);
});
