import pg from 'pg';
import { freePort, SIDE_PORTS } from '../../support/ports.js';
import {
  startOwnPostgres,
  startOwnRedis,
  type OwnPostgres,
  type OwnRedis,
} from '../../support/own-services.js';
import { AppProcess, type AppName } from './app-process.js';
import { TEST_ADMIN_KEY } from '../../support/credentials.js';

/**
 * Small recovery bounds, so a fault run ends in seconds: a worker that died is noticed in
 * INTERRUPT_AFTER_MS, a frozen server in two heartbeats.
 */
export const FAULT_STACK_ENV = {
  INTERRUPT_AFTER_MS: '6000',
  GATEWAY_HEARTBEAT_MS: '5000',
  GATEWAY_AUDIT_MS: '2000',
  DATABASE_POOL_SIZE: '4',
  BUILDCAST_ADMIN_KEY: TEST_ADMIN_KEY,
} as const;

export interface FaultStack {
  readonly postgres: OwnPostgres;
  readonly redis: OwnRedis;
  /** http://127.0.0.1:PORT (the API's origin: the SDK's `baseUrl`; its `/ws` goes to the gateway). */
  readonly baseUrl: string;
  /** http://127.0.0.1:PORT/api */
  readonly apiUrl: string;
  /** ws://127.0.0.1:PORT/ws of the gateway itself. */
  readonly gatewayWsUrl: string;
  readonly apps: Record<AppName, AppProcess>;
  readonly interruptAfterMs: number;
  /** One query on the stack's database, on a connection of its own (it fails while Postgres is down). */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The apps' last output, for a failure message. */
  output(): string;
  close(): Promise<void>;
}

/**
 * The whole stack on a Postgres cluster and a Redis server of its own, each app a child
 * process from `dist`: the fault suite stops, kills and freezes any of them.
 */
export async function startFaultStack(options: { workerConcurrency?: number } = {}): Promise<FaultStack> {
  const startedAt = Date.now();
  const postgres = await startOwnPostgres();
  let redis: OwnRedis | undefined;
  const apps: Partial<Record<AppName, AppProcess>> = {};
  try {
    redis = await startOwnRedis();
    const databaseUrl = await postgres.createDatabase('buildcast_faults');
    const [apiPort, gatewayPort] = [await freePort(), await freePort()];
    const env: Record<string, string> = {
      ...FAULT_STACK_ENV,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'faults',
      API_PORT: String(apiPort),
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
      ...SIDE_PORTS, // a restarted app takes any free port; no test scrapes them
      WORKER_CONCURRENCY: String(options.workerConcurrency ?? 4),
      // The suite's builds are replays: they take these slots (a full worker queues them).
      REPLAY_CONCURRENCY: String(options.workerConcurrency ?? 4),
    };
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    // The API migrates the new database before the others read it.
    apps.api = new AppProcess('api', env, { url: `${baseUrl}/api/health` });
    await apps.api.start();
    apps.gateway = new AppProcess('gateway', env, { url: `http://127.0.0.1:${gatewayPort}/health` });
    apps.runner = new AppProcess('runner', env, { line: 'Runner-worker consuming' });
    await Promise.all([apps.gateway.start(), apps.runner.start()]);
    const running = apps as Record<AppName, AppProcess>;
    process.stdout.write(`[faults] stack up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
    const ownRedis = redis;
    return {
      postgres,
      redis: ownRedis,
      baseUrl,
      apiUrl: `${baseUrl}/api`,
      gatewayWsUrl: `ws://127.0.0.1:${gatewayPort}/ws`,
      apps: running,
      interruptAfterMs: Number(FAULT_STACK_ENV.INTERRUPT_AFTER_MS),
      async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
        const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
        await client.connect();
        try {
          return (await client.query<T>(sql, params)).rows;
        } finally {
          await client.end();
        }
      },
      output: () =>
        Object.values(running)
          .map((app) => app.output())
          .join('\n'),
      async close() {
        await stopAll(Object.values(running), ownRedis, postgres);
      },
    };
  } catch (error) {
    await stopAll(Object.values(apps), redis, postgres);
    throw error;
  }
}

async function stopAll(
  apps: AppProcess[],
  redis: OwnRedis | undefined,
  postgres: OwnPostgres,
): Promise<void> {
  await Promise.all(apps.map((app) => app.stop()));
  await redis?.close();
  await postgres.close();
}
