import { Controller, Get } from '@nestjs/common';
import { HealthCheck } from '@nestjs/terminus';
import { InfrastructureHealth, type HealthReport } from './infrastructure-health.js';

/**
 * `GET /health` of the gateway and the runner-worker: 200 while this instance can reach
 * Postgres (and Redis, its transport), else 503 (the API's shape).
 */
@Controller('health')
export class InfrastructureHealthController {
  constructor(private readonly health: InfrastructureHealth) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthReport> {
    return this.health.run(this.health.infrastructureChecks());
  }
}
