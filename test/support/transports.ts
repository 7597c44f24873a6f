import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { MessageSource } from '#bus';
import { TRANSPORTS, type Transport } from '#config';
import { BUILDS_QUEUE } from '#contracts';
import { BUILDCAST_DATA_SOURCE } from '#persistence';

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
  await app.get<DataSource>(BUILDCAST_DATA_SOURCE).query('SELECT pg_terminate_backend($1)', [pid]);
}

/**
 * Whether a runner-worker could still take the build from the queue: on Redis its BullMQ job
 * is there; on Postgres, where the queued session row is the job, it is queued and unclaimed.
 */
export async function buildJobWaiting(
  app: INestApplicationContext,
  transport: Transport,
  sessionId: string,
): Promise<boolean> {
  if (transport === 'redis') {
    return Boolean(await app.get<Queue>(getQueueToken(BUILDS_QUEUE)).getJob(sessionId));
  }
  const unclaimed = `SELECT 1 FROM build_sessions WHERE id = $1 AND status = 'queued' AND lease_expires_at IS NULL`;
  const rows: unknown[] = await app.get<DataSource>(BUILDCAST_DATA_SOURCE).query(unclaimed, [sessionId]);
  return rows.length > 0;
}
