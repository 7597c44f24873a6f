import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { SessionSummary } from '#contracts';
import { BuildReadModel, EventStore, prepareDatabase, SessionLeases } from '#persistence';

/** The server the integration tests create their own databases on (trust auth on this machine). */
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates an empty database with a unique name (on the shared server, or the cluster of
 * `adminUrl`); `drop()` removes it (and its connections).
 */
export async function createTestDatabase(
  prefix = 'buildcast_test',
  adminUrl = ADMIN_URL,
): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function withAdmin(adminUrl: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** A migrated database of the test's own with the persistence services on it (test/persistence). */
export interface TestPersistence {
  dataSource: DataSource;
  store: EventStore;
  readModel: BuildReadModel;
  leases: SessionLeases;
  /** Closes the pool and drops the database. */
  close(): Promise<void>;
}

export async function openTestPersistence(poolSize: number): Promise<TestPersistence> {
  const database = await createTestDatabase();
  const dataSource = await prepareDatabase(database.url, { poolSize });
  return {
    dataSource,
    store: new EventStore(dataSource),
    readModel: new BuildReadModel(dataSource),
    leases: new SessionLeases(dataSource),
    async close() {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** A queued session of the demo agent in `projectId` (without a prompt unless given one). */
export async function queuedDemoSession(
  readModel: BuildReadModel,
  projectId: string,
  prompt: string | null = null,
): Promise<SessionSummary> {
  const session = await readModel.createQueuedSession({
    projectId,
    agent: 'demo',
    agentId: 'demo',
    model: null,
    prompt,
  });
  if (!session) throw new Error(`project ${projectId} not found`);
  return session;
}
