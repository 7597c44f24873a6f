import type { INestApplication, INestApplicationContext, LogLevel } from '@nestjs/common';
import { loadConfig, type AppConfig, type Transport } from '#config';
import { createApi } from '../../apps/api/src/create-api.js';
import { createWorker } from '../../apps/runner-worker/src/create-worker.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { TEST_ADMIN_KEY } from './credentials.js';
import { freePort, SIDE_PORTS } from './ports.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from './redis.js';

export { TEST_ADMIN_KEY };

/** Test output stays readable: only warnings and errors from the apps. */
const QUIET: LogLevel[] = ['error', 'warn'];

export interface TestStack {
  config: AppConfig;
  database: TestDatabase;
  apiUrl: string;
  api: INestApplication;
  workers: INestApplicationContext[];
  /** The environment another process (or config) needs to join this stack, plus `extra`. */
  childEnv(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/**
 * The real API (and runner-workers) in this process, on a database and a BullMQ prefix of
 * their own, with the API on a free port.
 */
export async function startStack(
  options: {
    workers?: number;
    env?: Record<string, string>;
    /** A Postgres server of the test's own (see own-services.ts) instead of the shared one. */
    databaseAdminUrl?: string;
    /** What carries announcements and the build queue (default: TEST_TRANSPORT, else Redis). */
    transport?: Transport;
  } = {},
): Promise<TestStack> {
  const database = await createTestDatabase(undefined, options.databaseAdminUrl);
  const config = loadConfig({
    // The API's own port, so PUBLIC_URL's default (http://localhost:PORT) is its real origin:
    // the origins it and the gateways allow are the ones a browser on it sends.
    API_PORT: String(await freePort()),
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniqueQueuePrefix(),
    DATABASE_POOL_SIZE: '5',
    BUILDCAST_ADMIN_KEY: TEST_ADMIN_KEY,
    // Gateways on this config serve /metrics on a free port of their own (see gateway.ts), and
    // so would the API's and the workers' side listeners if a test starts them.
    ...SIDE_PORTS,
    BUILDCAST_TRANSPORT: options.transport ?? process.env.TEST_TRANSPORT ?? 'redis',
    ...options.env,
  });
  const api = await createApi(config, QUIET);
  await api.listen(config.apiPort, '127.0.0.1');
  const workers: INestApplicationContext[] = [];
  for (let i = 0; i < (options.workers ?? 0); i++) workers.push(await createWorker(config, QUIET));
  const address = api.getHttpServer().address() as { port: number };
  return {
    config,
    database,
    api,
    workers,
    apiUrl: `http://127.0.0.1:${address.port}/api`,
    childEnv: (extra = {}) => ({
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      QUEUE_PREFIX: config.queuePrefix,
      BUILDCAST_TRANSPORT: config.transport,
      DATABASE_POOL_SIZE: '4',
      BUILDCAST_ADMIN_KEY: TEST_ADMIN_KEY,
      ...SIDE_PORTS,
      // Same allowed origins as this stack's API (a child gateway checks them on upgrade).
      API_PORT: String(config.apiPort),
      ...(config.publicUrlIsSet ? { PUBLIC_URL: config.publicUrl } : {}),
      CORS_ORIGINS: config.corsOrigins.join(','),
      ...extra,
    }),
    async close() {
      // Workers first (their builds end through the API's database), the API even when one failed.
      try {
        for (const worker of workers) await worker.close();
      } finally {
        try {
          await api.close();
        } finally {
          await database.drop();
          await deleteQueueKeys(config.redisUrl, config.queuePrefix);
        }
      }
    },
  };
}

/**
 * JSON over fetch, returning the status and the parsed body. It authenticates with
 * TEST_ADMIN_KEY unless `key` names another credential (null: anonymous).
 */
export async function request<T = any>(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    rawBody?: string;
    key?: string | null;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const key = init.key === undefined ? TEST_ADMIN_KEY : init.key;
  const response = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...init.headers,
    },
    body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await response.text();
  const result = { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  // Not enumerable, so tests can still compare `{ status, body }` with toEqual.
  return Object.defineProperty(result, 'headers', {
    value: response.headers,
    enumerable: false,
  }) as typeof result & {
    headers: Headers;
  };
}
