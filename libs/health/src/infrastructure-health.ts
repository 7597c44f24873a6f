import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { RedisService } from '#bus';

const CHECK_TIMEOUT_MS = 2000;

/** Terminus' result plus the contract's `checks` (one entry per checked service). */
export type HealthReport = HealthCheckResult & { checks: HealthCheckResult['details'] };

/**
 * The health checks every HTTP app shares: Postgres and Redis as indicators, and a runner
 * that answers 200 or 503 in the contract's shape. Apps add their own indicators.
 */
@Injectable()
export class InfrastructureHealth {
  constructor(
    private readonly health: HealthCheckService,
    readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly redis: RedisService,
  ) {}

  databaseCheck() {
    return this.indicators
      .check('database')
      .attempt(() => this.dataSource.query('SELECT 1').then(() => undefined))
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  redisCheck() {
    return this.indicators
      .check('redis')
      .attempt(() => this.redis.client.ping().then(() => undefined))
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  /** Runs the indicators; 503 (same shape) when any is down. */
  async run(indicators: HealthIndicatorFunction[]): Promise<HealthReport> {
    try {
      const result = await this.health.check(indicators);
      return { ...result, checks: result.details };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      throw new ServiceUnavailableException({ ...result, checks: result.details });
    }
  }
}
