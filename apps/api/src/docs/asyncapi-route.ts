import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response, NextFunction } from 'express';
import { asyncApiDocument } from '#contracts';

/** The WebSocket protocol's AsyncAPI 3 document, next to the REST one (same access rules). */
export const ASYNCAPI_PATH = '/api/docs/ws';

export function serveAsyncApi(app: NestExpressApplication, publicUrl: string): void {
  const url = new URL(publicUrl);
  const document = asyncApiDocument(url.host, url.protocol === 'https:');
  // Registered before Swagger's UI, which would otherwise answer everything under /api/docs.
  app.use(ASYNCAPI_PATH, (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || (request.path !== '/' && request.path !== '')) return next();
    response.json(document);
  });
}
