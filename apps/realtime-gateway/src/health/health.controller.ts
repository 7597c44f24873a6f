import { Controller, Get } from '@nestjs/common';
import { HealthCheck } from '@nestjs/terminus';
import { InfrastructureHealth, type HealthReport } from '#health';

/** `GET /health`: 200 while this instance can reach Postgres (and Redis, its transport), else 503 (the API's shape). */
@Controller('health')
export class HealthController {
  constructor(private readonly health: InfrastructureHealth) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthReport> {
    return this.health.run(this.health.infrastructureChecks());
  }
}
