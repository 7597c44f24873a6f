import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import {
  SkipThrottle,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import type { LimitsConfig } from '#config';
import { credentialTracker, ipTracker } from './credential-tracker.js';

const MINUTE_MS = 60_000;

/** The REST rate limits: what each counts and the variable that sets it (named in the 429). */
export const RATE_LIMITS = {
  ip: { variable: 'RATE_LIMIT_IP_PER_MINUTE', counts: 'requests from this IP address' },
  key: { variable: 'RATE_LIMIT_PER_MINUTE', counts: 'requests with this credential' },
  'build-starts': { variable: 'BUILD_STARTS_PER_MINUTE', counts: 'builds started with this credential' },
} as const;
export type RateLimitName = keyof typeof RATE_LIMITS;

const BUILD_START = 'buildcast:limits:build-start';

/** Marks the route that starts builds: the `build-starts` limit counts only its requests. */
export const CountsAsBuildStart = (): MethodDecorator => SetMetadata(BUILD_START, true);

/** For routes no limit may refuse (health checks: load balancers and probes poll them). */
export const NoRateLimits = (): MethodDecorator & ClassDecorator =>
  SkipThrottle({ ip: true, key: true, 'build-starts': true } satisfies Record<RateLimitName, true>);

const requestOf = (context: ExecutionContext) => context.switchToHttp().getRequest<Request>();
const credentialOf = (request: Request) => credentialTracker(request.headers);
const withoutCredential = (context: ExecutionContext) => credentialOf(requestOf(context)) === null;

/**
 * The throttler's options: per IP, per credential, and build starts per credential; all per
 * minute. Without `storage`, the throttler's own in-memory counters (one API process).
 */
export function throttlerOptions(limits: LimitsConfig, storage?: ThrottlerStorage): ThrottlerModuleOptions {
  const throttlers: (ThrottlerOptions & { name: RateLimitName })[] = [
    {
      name: 'ip',
      ttl: MINUTE_MS,
      limit: limits.perIpPerMinute,
      getTracker: (request) => ipTracker((request as Request).ip),
    },
    {
      name: 'key',
      ttl: MINUTE_MS,
      limit: limits.perKeyPerMinute,
      getTracker: (request) => credentialOf(request as Request) ?? '',
      skipIf: withoutCredential,
    },
    {
      name: 'build-starts',
      ttl: MINUTE_MS,
      limit: limits.buildStartsPerMinute,
      getTracker: (request) => credentialOf(request as Request) ?? '',
      skipIf: (context) =>
        withoutCredential(context) || Reflect.getMetadata(BUILD_START, context.getHandler()) !== true,
    },
  ];
  return {
    throttlers,
    storage,
    // One counter per limit and tracker, over every route (the default would count per route).
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    // The guard sets the one Retry-After header itself (the default would name it per limit).
    setHeaders: false,
  };
}
