import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse, ApiSchema } from '@nestjs/swagger';

/** Every error answer, Nest's shape (contract: "Errors"); validation failures list their messages. */
@ApiSchema({ name: 'Error' })
export class ErrorResponse {
  @ApiProperty({ type: 'integer', example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found', description: "the status code's reason phrase" })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'what was wrong, naming the field; a list for failed validation',
  })
  message!: string | string[];
}

/** Why each error status is answered, unless a route says more (see ApiErrors). */
const MEANINGS = {
  400: 'an invalid id, query or body (the message names the field)',
  401: 'no credential, or one that is unknown, revoked or expired',
  403: "the credential lacks the route's scope, or a cookie-authenticated request came from a foreign Origin",
  404: 'no such project or build, or one outside the credential’s projects (never revealed)',
  409: 'a conflict with the current state',
  413: 'the body is larger than MAX_BODY_BYTES',
  415: 'a body charset other than UTF-8',
  422: 'a request that cannot be applied as sent (the message names the field)',
  429: 'a rate limit is exceeded (the message names it; Retry-After says when to try again)',
  503: 'Postgres (or Redis, where the request needs it) is unavailable; try again shortly',
} as const;
export type ErrorStatus = keyof typeof MEANINGS;

/**
 * The error answers of a route (or of every route of a controller), each with the error
 * body: `@ApiErrors(400, 404, [409, 'the build has already finished'])`.
 */
export function ApiErrors(
  ...errors: (ErrorStatus | [ErrorStatus, string])[]
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...errors.map((error) => {
      const [status, meaning] = Array.isArray(error) ? error : [error, MEANINGS[error]];
      return ApiResponse({ status, description: `${STATUS_CODES[status]}: ${meaning}`, type: ErrorResponse });
    }),
  );
}

/** What a body-taking route can refuse before validation: unreadable, too large, not UTF-8. */
export const BODY_ERRORS = [400, 413, 415] as const satisfies ErrorStatus[];
/** What any route behind the AuthGuard and the rate limits can answer. */
export const GUARDED_ERRORS = [401, 403, 429, 503] as const satisfies ErrorStatus[];
