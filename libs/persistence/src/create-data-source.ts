import { DataSource } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

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
  });
}
