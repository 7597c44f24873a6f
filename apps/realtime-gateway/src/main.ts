import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigurationError, loadConfig } from '#config';
import { DatabaseUnreachableError, waitForDatabase } from '#persistence';
import { startTracing } from '#tracing';
import { createGateway } from './create-gateway.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; registered before the app makes a span
  // (TracingShutdown, in the app's module, exports the last spans).
  startTracing('buildcast-gateway');
  await waitForDatabase(config.databaseUrl);
  const app = await createGateway(config);
  await app.listen(config.gatewayPort, config.bindAddress);
  Logger.log(`Realtime gateway on ws://localhost:${config.gatewayPort}/ws`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  const known = error instanceof ConfigurationError || error instanceof DatabaseUnreachableError;
  console.error(known ? error.message : error);
  process.exit(1);
});
