import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { MIGRATIONS, prepareDatabase } from '#persistence';

const TABLES = ['projects', 'build_sessions', 'todos', 'tool_calls', 'build_events', 'build_requests'];

async function tablesOf(dataSource: DataSource): Promise<string[]> {
  const rows = await dataSource.query<{ name: string }[]>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)`,
    [TABLES],
  );
  return rows.map((row) => row.name).sort();
}

describe('prepareDatabase', () => {
  let database: TestDatabase;
  const dataSources: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
    await database.drop();
  });

  it('migrates once when two processes start together', async () => {
    dataSources.push(...(await Promise.all([prepareDatabase(database.url), prepareDatabase(database.url)])));
    const [first, second] = dataSources;
    await expect(tablesOf(first)).resolves.toEqual([...TABLES].sort());
    await expect(second.query('SELECT name FROM migrations ORDER BY id')).resolves.toEqual(
      MIGRATIONS.map((migration) => ({ name: migration.name })),
    );
    await expect(first.showMigrations()).resolves.toBe(false);
  });

  it('leaves no difference between the migrations and the entities', async () => {
    const log = await dataSources[0].driver.createSchemaBuilder().log();
    expect(log.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('migrates down and up again', async () => {
    const [dataSource] = dataSources;
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    await expect(tablesOf(dataSource)).resolves.toEqual([]);
    await dataSource.runMigrations();
    await expect(tablesOf(dataSource)).resolves.toEqual([...TABLES].sort());
  });

  it('creates a missing database', async () => {
    const url = new URL(database.url);
    const name = `buildcast_test_missing_${randomBytes(6).toString('hex')}`;
    url.pathname = `/${name}`;
    const admin = new URL(database.url);
    admin.pathname = '/postgres';
    try {
      const dataSource = await prepareDatabase(url.toString(), { poolSize: 1 });
      try {
        await expect(tablesOf(dataSource)).resolves.toEqual([...TABLES].sort());
      } finally {
        await dataSource.destroy();
      }
    } finally {
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
    }
  });
});
