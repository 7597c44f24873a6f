import { type OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { MetricsEndpoint } from './metrics-endpoint.js';

/**
 * The base of an app's Prometheus metrics: a registry of its own (several apps in one test
 * process must not share counters) with the process metrics under the app's prefix, and an
 * endpoint that serves it on a port of its own when the app asks.
 */
export abstract class AppMetrics implements OnApplicationShutdown {
  readonly registry = new Registry();
  readonly endpoint = new MetricsEndpoint(this.registry);

  /** `prefix`: e.g. `buildcast_api_`, for every metric of the app, the process ones too. */
  protected constructor(readonly prefix: string) {
    collectDefaultMetrics({ register: this.registry, prefix });
  }

  /** A gauge whose value is computed when Prometheus scrapes it. */
  defineGauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.endpoint.close();
  }
}
