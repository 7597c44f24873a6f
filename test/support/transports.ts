import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MessageSource } from '#bus';
import { TRANSPORTS, type Transport } from '#config';

/**
 * The transports every matrix suite runs on (`describe.each(TRANSPORTS)`): Redis (the
 * scaled mode) and Postgres alone (embedded mode).
 */
export { TRANSPORTS, type Transport };

/**
 * Drops an app's subscriber connection the hard way, as an outage would: Redis's socket is
 * destroyed; Postgres ends the LISTEN backend (pg_terminate_backend). Both reconnect by
 * themselves.
 */
export async function dropSubscriberConnection(
  app: INestApplicationContext,
  transport: Transport,
): Promise<void> {
  const source = app.get(MessageSource);
  if (transport === 'redis') {
    (source as unknown as { connection: { disconnect(reconnect: boolean): void } }).connection.disconnect(
      true,
    );
    return;
  }
  // The listener's own backend (pg's Client learns its pid when it connects).
  const pid = (source as unknown as { client: { processID: number } }).client.processID;
  await app.get(DataSource).query('SELECT pg_terminate_backend($1)', [pid]);
}
