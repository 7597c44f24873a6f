import { Logger } from '@nestjs/common';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { findLocalServices, formatAddress, postgresHints, serviceAddress, withoutPassword } from '#launch';
import { isDatabaseUnavailable } from './database-unavailable.js';

const INVALID_CATALOG_NAME = '3D000';

/** Postgres did not answer at start-up: the message names it, its address and what to do. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

export interface WaitOptions {
  readonly attempts?: number;
  readonly delayMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * Before an app builds its modules: a Postgres that does not answer gets one line per attempt,
 * then a DatabaseUnreachableError saying which server and how to start it, instead of pages
 * of TypeORM retries with stack traces. The app then exits 1 and its supervisor (npm start,
 * Docker) starts it again. A database that does not exist yet is fine: prepareDatabase
 * creates it. Other errors (a wrong password) are thrown as they are.
 */
export async function waitForDatabase(databaseUrl: string, options: WaitOptions = {}): Promise<void> {
  const { attempts = 5, delayMs = 2_000 } = options;
  const log = options.log ?? ((line: string) => new Logger('Database').warn(line));
  const address = serviceAddress(databaseUrl);
  const where = address ? formatAddress(address) : withoutPassword(databaseUrl);
  for (let attempt = 1; ; attempt += 1) {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code === INVALID_CATALOG_NAME) return;
      if (!isDatabaseUnavailable(error)) throw error;
      const reason = (error as Error).message || (error as { code?: string }).code || 'no answer';
      if (attempt >= attempts) {
        throw new DatabaseUnreachableError(
          [
            `Postgres is not reachable at ${where} (DATABASE_URL=${withoutPassword(databaseUrl)}): ${reason}.`,
            ...(address ? postgresHints(address, findLocalServices()) : []),
          ].join('\n'),
        );
      }
      log(
        `Postgres at ${where} does not answer (${reason}); attempt ${attempt} of ${attempts}, again in ${delayMs / 1000} s`,
      );
      await sleep(delayMs);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
