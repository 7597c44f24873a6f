import { Catch, ServiceUnavailableException, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isRedisUnavailable } from '#bus';

/**
 * A request that truly needs Redis (a cancel, which must reach the worker) gets a 503 that
 * says so while Redis is away, not a 500; everything else goes to Nest's own handling.
 */
@Catch()
export class RedisUnavailableFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!isRedisUnavailable(exception)) return super.catch(exception, host);
    super.catch(
      new ServiceUnavailableException(
        `Redis is unavailable, try again shortly (${(exception as Error).message})`,
      ),
      host,
    );
  }
}
