import { Controller, Get, Injectable, type Type } from '@nestjs/common';
import { HealthCheck } from '@nestjs/terminus';
import { InfrastructureHealth, type HealthReport } from '#health';

/** `GET /health`: 200 while this instance can reach Postgres (and Redis, its transport), else 503 (the API's shape). */
@Injectable() // for its constructor's metadata, which the subclass inherits
class GatewayHealthRoute {
  constructor(private readonly health: InfrastructureHealth) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthReport> {
    return this.health.run(this.health.infrastructureChecks());
  }
}

/** The health route at `path` (the module's `healthPath`: a host app picks where it goes). */
export function healthControllerAt(path: string): Type<GatewayHealthRoute> {
  @Controller(path)
  class HealthController extends GatewayHealthRoute {}
  return HealthController;
}
