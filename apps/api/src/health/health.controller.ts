import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';
import { PresenceService, type ServiceName } from '#bus';
import { InfrastructureHealth, type HealthReport } from '#health';
import { Public } from '../identity/access.decorators.js';
import { NoRateLimits } from '../limits/throttlers.js';
import { ApiErrors } from '../openapi/api-errors.js';
import { ApiHealthReport } from '../openapi/health.responses.js';

const CHECK_TIMEOUT_MS = 2000;
const SERVICES = ['api', 'gateway', 'runner', 'database', 'redis'] as const;
type CheckedService = (typeof SERVICES)[number];

/**
 * 503 when Postgres or Redis (on the Redis transport) is down; gateways and runners are
 * checked by their presence.
 */
@ApiTags('health')
@NoRateLimits()
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: InfrastructureHealth,
    private readonly presence: PresenceService,
  ) {}

  @Get()
  // Described here, with the contract's `checks` and `transport` (terminus' own lacks them).
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiHealthReport()
  check(): Promise<HealthReport> {
    return this.health.run(this.health.infrastructureChecks());
  }

  @Get(':service')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiHealthReport()
  @ApiErrors(400, [
    404,
    'not one of api, gateway, runner, database, redis (or redis on the Postgres transport)',
  ])
  checkOne(@Param('service') service: string): Promise<HealthReport> {
    if (!(SERVICES as readonly string[]).includes(service)) {
      throw new NotFoundException(`Unknown service "${service}"; one of ${SERVICES.join(', ')}`);
    }
    if (service === 'redis' && this.health.transport !== 'redis') {
      throw new NotFoundException('Redis is not used: announcements and the build queue run on Postgres');
    }
    return this.run([service as CheckedService]);
  }

  private run(services: CheckedService[]): Promise<HealthReport> {
    return this.health.run(services.map((service) => () => this.indicator(service)));
  }

  private indicator(service: CheckedService) {
    switch (service) {
      case 'api':
        return this.health.indicators.check(service).up();
      case 'database':
        return this.health.databaseCheck();
      case 'redis':
        return this.health.redisCheck();
      case 'gateway':
      case 'runner':
        return this.health.indicators
          .check(service)
          .attempt(() => this.instancesOf(service))
          .withTimeout(CHECK_TIMEOUT_MS);
    }
  }

  private async instancesOf(service: ServiceName): Promise<{ instances: number }> {
    const instances = await this.presence.instances(service);
    if (instances === 0)
      throw new Error(`no ${service} instance is running (none has reported its presence)`);
    return { instances };
  }
}
