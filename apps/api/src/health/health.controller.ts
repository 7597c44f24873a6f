import { Controller, Get, NotFoundException, Param, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { PresenceService, RedisService, type ServiceName } from '#bus';

const CHECK_TIMEOUT_MS = 2000;
const SERVICES = ['api', 'gateway', 'runner', 'database', 'redis'] as const;
type CheckedService = (typeof SERVICES)[number];
type HealthReport = HealthCheckResult & { checks: HealthCheckResult['details'] };

/** 503 when Postgres or Redis is down; gateways and runners are checked by their presence keys. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly redis: RedisService,
    private readonly presence: PresenceService,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthReport> {
    return this.run(['database', 'redis']);
  }

  @Get(':service')
  @HealthCheck()
  checkOne(@Param('service') service: string): Promise<HealthReport> {
    if (!(SERVICES as readonly string[]).includes(service)) {
      throw new NotFoundException(`Unknown service "${service}"; one of ${SERVICES.join(', ')}`);
    }
    return this.run([service as CheckedService]);
  }

  /** Terminus' result plus the contract's `checks` (one entry per checked service). */
  private async run(services: CheckedService[]): Promise<HealthReport> {
    try {
      const result = await this.health.check(services.map((service) => () => this.indicator(service)));
      return { ...result, checks: result.details };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      throw new ServiceUnavailableException({ ...result, checks: result.details });
    }
  }

  private indicator(service: CheckedService) {
    const check = this.indicators.check(service);
    switch (service) {
      case 'api':
        return check.up();
      case 'database':
        return check
          .attempt(() => this.dataSource.query('SELECT 1').then(() => undefined))
          .withTimeout(CHECK_TIMEOUT_MS);
      case 'redis':
        return check
          .attempt(() => this.redis.client.ping().then(() => undefined))
          .withTimeout(CHECK_TIMEOUT_MS);
      case 'gateway':
      case 'runner':
        return check.attempt(() => this.instancesOf(service)).withTimeout(CHECK_TIMEOUT_MS);
    }
  }

  private async instancesOf(service: ServiceName): Promise<{ instances: number }> {
    const instances = await this.presence.instances(service);
    if (instances === 0) throw new Error(`no ${service} instance has reported in the last 15 s`);
    return { instances };
  }
}
