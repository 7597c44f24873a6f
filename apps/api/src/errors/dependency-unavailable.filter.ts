import { Catch, ServiceUnavailableException, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isRedisUnavailable } from '#bus';
import { isDatabaseUnavailable } from '#persistence';

/**
 * A dependency that went away is a 503 that says which and to try again, never a 500: Postgres
 * unreachable (any route), or Redis for a request that truly needs it (a cancel must reach the
 * worker). Everything else goes to Nest's own handling.
 */
@Catch()
export class DependencyUnavailableFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const dependency = isDatabaseUnavailable(exception)
      ? 'Postgres'
      : isRedisUnavailable(exception)
        ? 'Redis'
        : null;
    if (dependency === null) return super.catch(exception, host);
    super.catch(
      new ServiceUnavailableException(
        `${dependency} is unavailable, try again shortly (${(exception as Error).message})`,
      ),
      host,
    );
  }
}
