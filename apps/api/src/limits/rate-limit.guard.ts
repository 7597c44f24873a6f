import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Response } from 'express';
import { isBuildcastRoute } from '../embedding/buildcast-routes.js';
import { RATE_LIMITS, type RateLimitName } from './throttlers.js';
import { tooManyRequests } from './too-many-requests.js';

/**
 * @nestjs/throttler's guard, with a 429 that names the limit and carries `Retry-After`.
 * Registered as the first global guard, so it runs before authentication.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** A host app's own routes (docs/embedding.md) are not Buildcast's to limit. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !isBuildcastRoute(this.reflector, context) || (await super.shouldSkip(context));
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    // The key is `${name}:${tracker}` (see throttlerOptions' generateKey).
    const name = detail.key.slice(0, detail.key.indexOf(':')) as RateLimitName;
    const limit = RATE_LIMITS[name];
    const message = `Too many ${limit.counts}: more than ${detail.limit} per minute (${limit.variable}); retry after ${detail.timeToBlockExpire} s`;
    const response = context.switchToHttp().getResponse<Response>();
    throw tooManyRequests(response, message, detail.timeToBlockExpire * 1000);
  }
}
