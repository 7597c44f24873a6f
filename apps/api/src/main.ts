import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigurationError, loadConfig } from '#config';
import { createApi } from './create-api.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApi(config);
  await app.listen(config.apiPort, config.bindAddress);
  Logger.log(`API on http://localhost:${config.apiPort}/api (docs at /api/docs)`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
