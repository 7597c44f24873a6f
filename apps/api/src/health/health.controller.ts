import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
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
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicator('database'), () => this.indicator('redis')]);
  }

  @Get(':service')
  @HealthCheck()
  checkOne(@Param('service') service: string): Promise<HealthCheckResult> {
    if (!(SERVICES as readonly string[]).includes(service)) {
      throw new NotFoundException(`Unknown service "${service}"; one of ${SERVICES.join(', ')}`);
    }
    return this.health.check([() => this.indicator(service as CheckedService)]);
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
