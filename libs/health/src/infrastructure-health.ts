import { Injectable, Optional, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { InjectBuildcastDataSource } from '#persistence';
import { AppConfig, type Transport } from '#config';
import { RedisService } from '#bus';

const CHECK_TIMEOUT_MS = 2000;

/**
 * Terminus' result plus the contract's `checks` (one entry per checked service) and the
 * transport that carries announcements and the build queue.
 */
export type HealthReport = HealthCheckResult & { checks: HealthCheckResult['details']; transport: Transport };

/**
 * The health checks every HTTP app shares: Postgres, and Redis when it is the transport, as
 * indicators, and a runner that answers 200 or 503 in the contract's shape. Apps add their
 * own indicators.
 */
@Injectable()
export class InfrastructureHealth {
  readonly transport: Transport;

  constructor(
    private readonly health: HealthCheckService,
    readonly indicators: HealthIndicatorService,
    @InjectBuildcastDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
    /** Only on the Redis transport. */
    @Optional() private readonly redis?: RedisService,
  ) {
    this.transport = config.transport;
  }

  /** What this app depends on: Postgres, and Redis unless the transport is Postgres. */
  infrastructureChecks(): HealthIndicatorFunction[] {
    const checks = [() => this.databaseCheck()];
    return this.transport === 'redis' ? [...checks, () => this.redisCheck()] : checks;
  }

  databaseCheck() {
    return this.indicators
      .check('database')
      .attempt(() => this.dataSource.query('SELECT 1').then(() => undefined))
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  /** Only on the Redis transport. */
  redisCheck() {
    return this.indicators
      .check('redis')
      .attempt(async () => {
        if (!this.redis) throw new Error('Redis is not used (BUILDCAST_TRANSPORT=postgres)');
        await this.redis.client.ping();
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  /** Runs the indicators; 503 (same shape) when any is down. */
  async run(indicators: HealthIndicatorFunction[]): Promise<HealthReport> {
    const transport = this.transport;
    try {
      const result = await this.health.check(indicators);
      return { ...result, checks: result.details, transport };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      throw new ServiceUnavailableException({ ...result, checks: result.details, transport });
    }
  }
}
