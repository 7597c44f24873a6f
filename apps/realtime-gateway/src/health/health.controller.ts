import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { RedisService } from '#bus';

const CHECK_TIMEOUT_MS = 2000;
type HealthReport = HealthCheckResult & { checks: HealthCheckResult['details'] };

/** `GET /health`: 200 while this instance can reach Postgres and Redis, else 503 (the API's shape). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly redis: RedisService,
  ) {}

  @Get()
  @HealthCheck()
  async check(): Promise<HealthReport> {
    try {
      const result = await this.health.check([
        () =>
          this.indicators
            .check('database')
            .attempt(() => this.dataSource.query('SELECT 1').then(() => undefined))
            .withTimeout(CHECK_TIMEOUT_MS),
        () =>
          this.indicators
            .check('redis')
            .attempt(() => this.redis.client.ping().then(() => undefined))
            .withTimeout(CHECK_TIMEOUT_MS),
      ]);
      return { ...result, checks: result.details };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      throw new ServiceUnavailableException({ ...result, checks: result.details });
    }
  }
}
