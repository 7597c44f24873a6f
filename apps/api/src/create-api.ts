import { existsSync } from 'node:fs';
import path from 'node:path';
import { ValidationPipe, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '#config';
import { PresenceService } from '#bus';
import { ApiModule } from './app.module.js';
import { jsonBody } from './json-body.js';
import { forwardWebSockets } from './websocket-proxy.js';

/** Builds the API application exactly as production runs it (tests use this too). */
export async function createApi(
  config: AppConfig,
  logger: LogLevel[] = ['error', 'warn', 'log'],
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    logger,
  });
  app.use(jsonBody(config.maxBodyBytes));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableCors({ origin: [...config.corsOrigins] });
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Buildcast API')
      .setDescription('Projects, builds, snapshots and the polling fallback. Live updates: WebSocket /ws.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document);

  // One URL for people: the web app's files at /, the API under /api.
  const webRoot = path.resolve(config.webRoot);
  if (existsSync(webRoot)) app.useStaticAssets(webRoot);

  forwardWebSockets(app.getHttpServer(), config.gatewayUrl);
  app.get(PresenceService).announce('api');
  return app;
}
