import { existsSync } from 'node:fs';
import path from 'node:path';
import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '#config';
import { keepIdleSocketsOpen } from '#health';
import { IdentityService, type Principal } from '#identity';
import { AppLogger, DEFAULT_LOG_LEVELS, pathOf, requestLogger } from '#logging';
import { ApiModule } from './app.module.js';
import { answerClientErrors } from './input/client-errors.js';
import { bodyParsers } from './input/json-body.js';
import { requireCredentialForDocs } from './identity/docs-access.js';
import { printFirstSignInLink } from './identity/first-admin-key.js';
import { serveWebApp } from './web-app/serve-web-app.js';
import { ApiMetrics } from './observability/api-metrics.js';
import { requestMetrics } from './observability/request-metrics.js';
import { forwardWebSockets } from './websocket-proxy.js';
import { serveAsyncApi } from './docs/asyncapi-route.js';

/** Builds the API application exactly as production runs it (tests use this too). */
export async function createApi(
  config: AppConfig,
  levels: LogLevel[] = DEFAULT_LOG_LEVELS,
): Promise<INestApplication> {
  const logger = new AppLogger({ app: 'api', format: config.logFormat, levels });
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    logger,
  });
  answerClientErrors(app.getHttpServer());
  keepIdleSocketsOpen(app.getHttpServer());
  // First, so that every answer is logged and measured, a refused body (413) too.
  app.use(
    requestLogger(logger.pino, {
      fields: (request) => requestIdentity((request as { principal?: Principal | null }).principal),
      skip: (request) => pathOf(request.url).startsWith('/api/health'),
    }),
  );
  app.use(requestMetrics(app.get(ApiMetrics)));
  for (const parse of bodyParsers(config.maxBodyBytes)) app.use(parse);
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
    serveWebApp(app, webRoot);
  } else {
    new Logger('Api').warn(`WEB_ROOT ${webRoot} does not exist: run \`npm run build\` to build the web app`);
  }

  forwardWebSockets(app.getHttpServer(), config.gatewayUrl);
  await app.init(); // ApiPresence announces this API

  await printFirstSignInLink(app);
  return app;
}

/** The key behind a request, once the AuthGuard resolved one (keyId null: BUILDCAST_ADMIN_KEY). */
function requestIdentity(principal: Principal | null | undefined): Record<string, unknown> {
  return principal ? { keyId: principal.keyId, via: principal.via } : {};
}
