import path from 'node:path';
import compression from 'compression';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { cacheControlFor, REVALIDATE } from './asset-caching.js';

const isApiPath = (urlPath: string) => urlPath === '/api' || urlPath.startsWith('/api/');

/**
 * The web app's files at /: hashed assets cached for a year, everything else revalidated,
 * and all of it compressed (br or gzip, as the browser accepts) by the `compression` library.
 * Compressed on the fly rather than at build time: each immutable asset reaches a browser
 * once a year, so the cost is small, and the build stays one Vite step. /api is left alone:
 * its answers carry credentials and tokens (no compression next to secrets: BREACH) and
 * long-polls must not wait in a compressor.
 */
export function serveWebApp(app: NestExpressApplication, webRoot: string): void {
  app.use(
    compression({
      filter: (request: Request, response: Response) =>
        !isApiPath(request.path) && compression.filter(request, response),
    }),
  );
  app.useStaticAssets(webRoot, {
    index: false,
    setHeaders: (response: Response, filePath: string) => {
      const urlPath = `/${path.relative(webRoot, filePath).split(path.sep).join('/')}`;
      response.setHeader('cache-control', cacheControlFor(urlPath));
    },
  });
  app.use(serveAppPages(path.join(webRoot, 'index.html')));
}

/**
 * The web app routes in the browser: a deep link such as /projects/P/builds/S gets the app's
 * index.html (never cached, so a new build is picked up). /api and asset requests pass on.
 */
function serveAppPages(indexHtml: string) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !isApiPath(request.path) &&
      !path.extname(request.path) &&
      request.accepts(['html', 'json']) === 'html';
    if (!isPage) return next();
    response.setHeader('cache-control', REVALIDATE);
    response.sendFile(indexHtml);
  };
}
