import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigurationError, loadConfig } from '#config';
import { DatabaseUnreachableError, waitForDatabase } from '#persistence';
import { startTracing } from '#tracing';
import { createApi } from './create-api.js';
import { ApiMetrics } from './observability/api-metrics.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; registered before the app makes a span
  // (TracingShutdown, in the app's module, exports the last spans).
  startTracing('buildcast-api');
  await waitForDatabase(config.databaseUrl);
  const app = await createApi(config);
  await app
    .get(ApiMetrics)
    .endpoint.listen(config.apiMetricsPort, config.metricsBindAddress, 'API_METRICS_PORT');
  await app.listen(config.apiPort, config.bindAddress);
  Logger.log(`API on http://localhost:${config.apiPort}/api (docs at /api/docs)`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  const known = error instanceof ConfigurationError || error instanceof DatabaseUnreachableError;
  console.error(known ? error.message : error);
  process.exit(1);
});
