import { Injectable } from '@nestjs/common';
import { Gauge, Histogram } from 'prom-client';
import { AppMetrics } from '#metrics';

/** The API's Prometheus metrics; served at GET /metrics on API_METRICS_PORT (main.ts). */
@Injectable()
export class ApiMetrics extends AppMetrics {
  readonly requestDuration = new Histogram({
    name: 'buildcast_api_request_duration_seconds',
    help: 'REST requests, from arrival to the last byte of the answer, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly longPollsInFlight = new Gauge({
    name: 'buildcast_api_long_polls_in_flight',
    help: 'Long-polls (`events?waitMs=` above 0) waiting for events now',
    registers: [this.registry],
  });

  constructor() {
    super('buildcast_api_');
  }
}
