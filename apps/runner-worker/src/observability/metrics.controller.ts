import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RunnerMetrics } from './runner-metrics.js';

/** `GET /metrics` on RUNNER_PORT: the runner has no public port, so no listener of its own. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: RunnerMetrics) {}

  @Get()
  async scrape(@Res() response: Response): Promise<void> {
    const text = await this.metrics.registry.metrics();
    response.type(this.metrics.registry.contentType).send(text);
  }
}
