import { Controller, Get, Injectable, type Type } from '@nestjs/common';
import { HealthCheck } from '@nestjs/terminus';
import { InfrastructureHealth, type HealthReport } from './infrastructure-health.js';

/**
 * `GET /health` of the gateway and the runner-worker: 200 while this instance can reach
 * Postgres (and Redis, its transport), else 503 (the API's shape).
 */
@Injectable() // for its constructor's metadata, which the subclasses inherit
class InfrastructureHealthRoute {
  constructor(private readonly health: InfrastructureHealth) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthReport> {
    return this.health.run(this.health.infrastructureChecks());
  }
}

/** The health route at `path` (a mounted module's `healthPath`: a host app picks where it goes). */
export function healthControllerAt(path: string): Type<InfrastructureHealthRoute> {
  @Controller(path)
  class HealthController extends InfrastructureHealthRoute {}
  return HealthController;
}

/** At `/health`, where the standalone gateway and runner-worker serve it. */
export const InfrastructureHealthController = healthControllerAt('health');
