import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** The service.name each app reports as. */
export type TracedApp = 'buildcast-api' | 'buildcast-gateway' | 'buildcast-runner';

export interface Tracing {
  /** Whether spans are recorded and exported (OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  readonly enabled: boolean;
  /** Exports what is buffered and stops; a no-op when tracing is off. */
  shutdown(): Promise<void>;
}

/**
 * Registers the process's global tracer provider when OTEL_EXPORTER_OTLP_ENDPOINT is set:
 * OTLP over HTTP (the exporter reads the OTEL_EXPORTER_OTLP_* variables itself, e.g. headers),
 * spans batched. Unset, nothing is registered and `@opentelemetry/api` stays its no-op
 * tracer: a span costs one function call and records nothing. One app per process.
 */
export function startTracing(app: TracedApp, env: NodeJS.ProcessEnv = process.env): Tracing {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    return { enabled: false, shutdown: () => Promise.resolve() };
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: app }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Also the AsyncLocalStorage context manager, which carries the active span across awaits.
  provider.register();
  started = { enabled: true, shutdown: () => provider.shutdown() };
  return started;
}

/** The tracing this process started (never a provider a test registered itself). */
let started: Tracing | undefined;

/**
 * Exports the last spans when the app shuts down (Nest's shutdown hooks run on SIGTERM, then
 * end the process: a batch still buffered would be lost). A provider of each app's module.
 */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await started?.shutdown();
  }
}
