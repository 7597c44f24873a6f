import { existsSync } from 'node:fs';
import path from 'node:path';
import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '#config';
import { IdentityService } from '#identity';
import { ApiModule } from './app.module.js';
import { answerClientErrors } from './input/client-errors.js';
import { jsonBody } from './input/json-body.js';
import { requireCredentialForDocs } from './identity/docs-access.js';
import { printFirstSignInLink } from './identity/first-admin-key.js';
import { forwardWebSockets } from './websocket-proxy.js';
import { serveAsyncApi } from './docs/asyncapi-route.js';

/** Builds the API application exactly as production runs it (tests use this too). */
export async function createApi(
  config: AppConfig,
  logger: LogLevel[] = ['error', 'warn', 'log'],
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    logger,
  });
  answerClientErrors(app.getHttpServer());
  app.use(jsonBody(config.maxBodyBytes));
  app.setGlobalPrefix('api');
  // Input pipes and the 503 filter are on the controllers (asBuildcastRoutes), so that an app
  // mounting the module gets them on Buildcast's routes only.
  // A cross-origin SDK revalidates snapshots only if it can read their ETag.
  app.enableCors({ origin: [...config.corsOrigins], exposedHeaders: ['ETag'] });
  app.enableShutdownHooks();
  app.disable('x-powered-by'); // no need to tell a scanner what to try
  // request.ip (the per-IP limit) is X-Forwarded-For's client only behind these proxies.
  app.set('trust proxy', config.limits.trustedProxies);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Buildcast API')
      .setDescription('Projects, builds, snapshots and the polling fallback. Live updates: WebSocket /ws.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  app.use(
    ['/api/docs', '/api/docs-json', '/api/docs-yaml'],
    requireCredentialForDocs(app.get(IdentityService)),
  );
  serveAsyncApi(app, config.publicUrl);
  SwaggerModule.setup('api/docs', app, document);

  // One URL for people: the web app's files at /, the API under /api.
  const webRoot = path.resolve(config.webRoot);
  if (existsSync(webRoot)) {
    app.useStaticAssets(webRoot, { index: false });
    app.use(serveAppPages(path.join(webRoot, 'index.html')));
  } else {
    new Logger('Api').warn(`WEB_ROOT ${webRoot} does not exist: run \`npm run build\` to build the web app`);
  }

  forwardWebSockets(app.getHttpServer(), config.gatewayUrl);
  await app.init(); // ApiPresence announces this API

  await printFirstSignInLink(app);
  return app;
}

/**
 * The web app routes in the browser: a deep link such as /projects/P/builds/S gets the app's
 * index.html (never cached, so a new build is picked up). /api and asset requests pass on.
 */
function serveAppPages(indexHtml: string) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !request.path.startsWith('/api/') &&
      request.path !== '/api' &&
      !path.extname(request.path) &&
      request.accepts(['html', 'json']) === 'html';
    if (!isPage) return next();
    response.setHeader('cache-control', 'no-cache');
    response.sendFile(indexHtml);
  };
}
