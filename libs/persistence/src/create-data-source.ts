import { DataSource } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Postgres ends a session that sits idle inside a transaction this long, releasing its row
 * locks: a frozen process (SIGSTOP, a stuck event loop) caught between the statements of an
 * append would otherwise block every later append to that session, the sweeper's and a
 * cancel's included, for as long as it stays frozen. Appends are four back-to-back round
 * trips, so only a process stalled this long is cut off (its append fails and is retried).
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

export interface DataSourceConfig {
  poolSize?: number;
  logging?: boolean;
}

/** The DataSource of every app. The schema comes only from migrations, never synchronize. */
export function createDataSource(databaseUrl: string, options: DataSourceConfig = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    // gen_random_uuid() is built into Postgres 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: options.logging ?? false,
    poolSize: options.poolSize,
    extra: { idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS },
  });
}
