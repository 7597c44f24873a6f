import { Global, Module } from '@nestjs/common';
import { ApiMetrics } from './api-metrics.js';

/** The API's metrics, for whichever module has something to count (long-polls). */
@Global()
@Module({ providers: [ApiMetrics], exports: [ApiMetrics] })
export class ObservabilityModule {}
