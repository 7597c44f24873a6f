import pg from 'pg';
import { MigrationExecutor, type DataSource } from 'typeorm';
import { createDataSource, type DataSourceConfig } from './create-data-source.js';

/** Arbitrary but fixed: every Buildcast process migrating the same database takes this lock. */
const MIGRATION_LOCK_ID = '4242024110';

const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/**
 * Connects and migrates: creates the database when it is missing (so a fresh machine just
 * starts), then runs pending migrations under an advisory lock so that processes starting
 * together migrate once. Returns the initialized DataSource.
 */
export async function prepareDatabase(
  databaseUrl: string,
  options: DataSourceConfig = {},
): Promise<DataSource> {
  await ensureDatabaseExists(databaseUrl);
  const dataSource = createDataSource(databaseUrl, options);
  await dataSource.initialize();
  try {
    await runMigrationsLocked(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

async function runMigrationsLocked(dataSource: DataSource): Promise<void> {
  // The lock is per connection, so the migrations run on the very connection that holds it.
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_ID]);
    try {
      const executor = new MigrationExecutor(dataSource, queryRunner);
      executor.transaction = 'all';
      await executor.executePendingMigrations();
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await queryRunner.release();
  }
}

async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const probe = new pg.Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if (pgCode(error) !== INVALID_CATALOG_NAME) throw error;
  } finally {
    await probe.end();
  }
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } catch (error) {
    // Another process created it at the same moment: that is what we wanted.
    const code = pgCode(error);
    if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
  } finally {
    await admin.end();
  }
}

function pgCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}
