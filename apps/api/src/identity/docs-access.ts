import type { NextFunction, Request, Response } from 'express';
import type { IdentityService } from '#identity';

/**
 * /api/docs (Swagger UI and its JSON) sits outside Nest's routes, so the AuthGuard never sees
 * it: any valid credential may read it (a signed-in browser, or a key), nobody else.
 */
export function requireCredentialForDocs(identity: IdentityService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    identity
      .fromHeaders(request.headers)
      .then(({ principal }) => {
        if (principal) return next();
        response.status(401).setHeader('WWW-Authenticate', 'Bearer realm="buildcast"').json({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'Sign in, or send an API key, to read the API docs',
        });
      })
      .catch(() => {
        response
          .status(503)
          .json({ statusCode: 503, error: 'Service Unavailable', message: 'Postgres is unavailable' });
      });
  };
}
