import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigurationError, loadConfig } from '#config';
import { createGateway } from './create-gateway.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createGateway(config);
  await app.listen(config.gatewayPort, config.bindAddress);
  Logger.log(`Realtime gateway on ws://localhost:${config.gatewayPort}/ws`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
