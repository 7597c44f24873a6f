// Buildcast as it runs in production, for the fanout bench's end-to-end target: the API, a
// runner-worker and the realtime gateway, each its own process from dist/, on the bench
// database and Redis. Builds are started through the API (POST a replay) and the
// runner-worker's replay agent commits their events; the bench publishes nothing itself.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { NewBuildEvent } from '#contracts';
import { freePort } from '#launch';
import { BENCH_ADMIN_KEY, BENCH_AUTHORIZATION } from '../support/bench-utils.js';
import { startService, type ServerUnderTest } from './procs.js';
import type { Room } from './protocol.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
/** Three Nest apps starting on a shared 2-core machine can take a while each. */
const START_TIMEOUT_MS = 120_000;

export interface StackSettings {
  redisUrl: string;
  databaseUrl: string;
  /** BUILDCAST_TRANSPORT: redis (scaled mode) or postgres (embedded mode). */
  transport: string;
  workerConcurrency: number;
  coalesceMs?: number;
}

export interface BuildcastStack extends ServerUnderTest {
  /** http://127.0.0.1:port/api */
  apiUrl: string;
}

/** Starts gateway, API and runner-worker; resolves once the API sees the runner up. */
export async function startBuildcastStack(settings: StackSettings): Promise<BuildcastStack> {
  const [apiPort, gatewayPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    BUILDCAST_TRANSPORT: settings.transport,
    QUEUE_PREFIX: `bench_${randomBytes(4).toString('hex')}`,
    BUILDCAST_ADMIN_KEY: BENCH_ADMIN_KEY,
    API_PORT: String(apiPort),
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
    METRICS_PORT: String(metricsPort),
    WORKER_CONCURRENCY: String(settings.workerConcurrency),
    // The bench starts 100 builds in a second with one key: the abuse limits are not measured here.
    BUILD_STARTS_PER_MINUTE: '100000',
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_IP_PER_MINUTE: '100000',
    // Every watcher connects from 127.0.0.1: the per-address cap (200) would refuse the burst's 1,000.
    GATEWAY_CONNECTIONS_PER_IP: '100000',
  };
  if (settings.coalesceMs !== undefined) env.GATEWAY_COALESCE_MS = String(settings.coalesceMs);
  const apps = '../../apps';
  const started: Array<{ child: { pid?: number }; stop: () => Promise<void> }> = [];
  const stop = async () => {
    // The worker first (its builds end), then what serves them.
    for (const service of started.reverse()) await service.stop();
  };
  const apiUrl = `http://127.0.0.1:${apiPort}/api`;
  try {
    started.push(
      await startService(
        'gateway',
        here(`${apps}/realtime-gateway/src/main.js`),
        env,
        `http://127.0.0.1:${gatewayPort}/health`,
        START_TIMEOUT_MS,
      ),
    );
    started.push(
      await startService(
        'api',
        here(`${apps}/api/src/main.js`),
        env,
        `${apiUrl}/health/api`,
        START_TIMEOUT_MS,
      ),
    );
    started.push(
      await startService(
        'runner-worker',
        here(`${apps}/runner-worker/src/main.js`),
        env,
        `${apiUrl}/health/runner`,
        START_TIMEOUT_MS,
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    target: 'buildcast-e2e',
    pid: started[0].child.pid!,
    pids: started.map((service) => service.child.pid!),
    port: gatewayPort,
    url: `ws://127.0.0.1:${gatewayPort}/ws`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    apiUrl,
    stop,
  };
}

/** POST /api/projects with the admin key. */
export async function createProject(apiUrl: string, name: string): Promise<string> {
  const project = await postJson<{ id: string }>(`${apiUrl}/projects`, { name });
  return project.id;
}

/** POST /api/projects/:id/builds: a buildcast-ndjson replay, paced at `eventIntervalMs`. */
export async function startReplay(
  apiUrl: string,
  projectId: string,
  transcript: string,
  eventIntervalMs: number,
): Promise<Room> {
  const started = await postJson<{ sessionId: string }>(`${apiUrl}/projects/${projectId}/builds`, {
    agent: 'replay',
    format: 'buildcast-ndjson',
    transcript,
    eventIntervalMs,
  });
  return { projectId, sessionId: started.sessionId };
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...BENCH_AUTHORIZATION },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** What the end-to-end target reads back from the bench database (its own connection). */
export class BuildsProbe {
  private constructor(private readonly client: pg.Client) {}

  static async connect(databaseUrl: string): Promise<BuildsProbe> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return new BuildsProbe(client);
  }

  /** Waits until none of the builds is queued or running; false after `timeoutMs`. */
  async waitForEnd(sessionIds: string[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await this.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM build_sessions WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
        [sessionIds],
      );
      if (rows[0].n === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  /**
   * Each event's creation time as Buildcast records it (`at`, Postgres's clock_timestamp()
   * in the append, µs precision), as wall-clock ms indexed by seq (index 0 unused).
   */
  async commitTimes(sessionId: string): Promise<number[]> {
    const { rows } = await this.client.query<{ seq: number; ms: number }>(
      `SELECT seq, extract(epoch FROM at)::float8 * 1000 AS ms FROM build_events WHERE session_id = $1 ORDER BY seq`,
      [sessionId],
    );
    const times = [0];
    for (const row of rows) times[row.seq] = row.ms;
    return times;
  }

  /** The Postgres backends serving the bench database, but this probe's own. */
  async backendPids(): Promise<number[]> {
    const { rows } = await this.client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((row) => row.pid);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** A replay transcript (buildcast-ndjson): one `{ type, data }` line per event. */
export const transcriptOf = (events: NewBuildEvent[]): string =>
  events.map((event) => JSON.stringify(event)).join('\n');
