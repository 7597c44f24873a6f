// Redis as a doorbell only (issue 15, items 5 to 7), on a Redis server of the bench's own:
//  - outage: a replay is committing when Redis is killed for BENCH_OUTAGE_MS; how long the
//    longest pause between two commits is, how many commits happen during the outage, and
//    how long POST /builds takes meanwhile;
//  - restart: builds queued while no worker runs, Redis restarted empty, then a worker starts:
//    how many of them end;
//  - memory: Redis used_memory before and after BENCH_REPLAYS replays of a transcript of
//    BENCH_TRANSCRIPT_BYTES (mostly padding lines that the parser ignores).
// Run: npm run build && node dist/bench/redis/redis.bench.js
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, type AppConfig } from '#config';
import { createApi } from '../../apps/api/src/create-api.js';
import { createWorker } from '../../apps/runner-worker/src/create-worker.js';
import { BENCH_ADMIN_KEY, BENCH_AUTHORIZATION, createBenchDatabase } from '../support/bench-utils.js';

const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_MS ?? 10_000);
const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 20);
const TRANSCRIPT_BYTES = Number(process.env.BENCH_TRANSCRIPT_BYTES ?? 10_000_000);
const QUEUED_BUILDS = Number(process.env.BENCH_QUEUED_BUILDS ?? 3);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'outage,restart,memory').split(','));
const QUIET = ['error' as const];

async function main(): Promise<void> {
  const redis = await startRedis();
  const database = await createBenchDatabase();
  const db = new pg.Client({ connectionString: database.url });
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'bench',
    MAX_BODY_BYTES: String(4 * TRANSCRIPT_BYTES),
    INTERRUPT_AFTER_MS: '6000',
    BUILDCAST_ADMIN_KEY: BENCH_ADMIN_KEY, // compared in memory: no key lookup in the figures
  });
  const api = await createApi(config, QUIET);
  await api.listen(0, '127.0.0.1');
  const apiUrl = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}/api`;
  const workers: INestApplicationContext[] = [];
  try {
    await db.connect();
    const project = await post(apiUrl, '/projects', { name: 'redis bench' });
    if (project.status !== 201) throw new Error(`POST /projects answered ${project.status}`);
    const projectId = project.body.id as string;
    if (PARTS.has('outage')) {
      workers.push(await createWorker(config, QUIET));
      console.log(await outage(apiUrl, projectId, redis, db));
    }
    if (PARTS.has('restart')) console.log(await restart(apiUrl, projectId, redis, db, config, workers));
    if (PARTS.has('memory')) {
      if (workers.length === 0) workers.push(await createWorker(config, QUIET));
      console.log(await memory(apiUrl, projectId, redis, db));
    }
  } finally {
    // Bounded: an app that waits for Redis on shutdown must not keep the figures from printing.
    await Promise.race([closeAll(api, workers), sleep(30_000)]);
    await db.end();
    await database.drop();
    await redis.close();
  }
}

async function outage(apiUrl: string, projectId: string, redis: OwnRedis, db: pg.Client): Promise<string> {
  const lines = Array.from({ length: 1500 }, (_, i) =>
    JSON.stringify({ type: 'message', data: { role: 'assistant', text: `line ${i}` } }),
  );
  lines.push(JSON.stringify({ type: 'session.finished', data: { status: 'completed' } }));
  const build = await startReplay(apiUrl, projectId, lines.join('\n'), 20);
  await until(async () => (await lastSeq(db, build)) >= 20, 'the replay to commit');
  const stoppedAt = new Date();
  await redis.stop();
  await sleep(2000);
  // Not awaited here: before the fix it waited for Redis to come back.
  const t0 = performance.now();
  let postMs = NaN;
  const posting = post(
    apiUrl,
    `/projects/${projectId}/builds`,
    { agent: 'demo', eventIntervalMs: 1 },
    120_000,
  ).finally(() => (postMs = performance.now() - t0));
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt.getTime())));
  const answeredDuringOutage = !Number.isNaN(postMs);
  const restartedAt = new Date();
  await redis.start();
  const during = await posting;
  await until(async () => (await status(db, build)) !== 'running', 'the replay to end', 180_000);
  const { rows } = await db.query<{ gap: number; during: number; after: number }>(
    `SELECT max(gap_ms)::float AS gap, count(*) FILTER (WHERE at > $2 AND at < $3)::int AS during,
       count(*) FILTER (WHERE at >= $3 AND at < $3::timestamptz + ($3::timestamptz - $2::timestamptz))::int AS after
     FROM (
       SELECT at, extract(epoch FROM at - lag(at) OVER (ORDER BY seq)) * 1000 AS gap_ms
       FROM build_events WHERE session_id = $1) e`,
    [build, stoppedAt, restartedAt],
  );
  const queuedBuild = during.body?.sessionId as string | undefined;
  const queuedEnd = queuedBuild
    ? await until(
        async () => ((await status(db, queuedBuild)) === 'queued' ? undefined : status(db, queuedBuild)),
        'the build started during the outage to end',
        180_000,
      ).catch(() => 'still queued')
    : 'not created';
  return [
    `outage ${OUTAGE_MS} ms:`,
    `  longest gap between commits: ${Math.round(rows[0].gap)} ms`,
    `  commits during the outage: ${rows[0].during} (in as long just after it: ${rows[0].after})`,
    `  replay ended: ${await status(db, build)}`,
    `  POST /builds during the outage: ${during.status} in ${Math.round(postMs)} ms` +
      ` (${answeredDuringOutage ? 'answered during the outage' : 'answered only after Redis was back'}); that build: ${queuedEnd}`,
  ].join('\n');
}

async function restart(
  apiUrl: string,
  projectId: string,
  redis: OwnRedis,
  db: pg.Client,
  config: AppConfig,
  workers: INestApplicationContext[],
): Promise<string> {
  for (const worker of workers.splice(0)) await worker.close();
  const ids: string[] = [];
  for (let i = 0; i < QUEUED_BUILDS; i++) {
    const started = await post(apiUrl, `/projects/${projectId}/builds`, {
      agent: 'demo',
      eventIntervalMs: 1,
    });
    ids.push(started.body.sessionId as string);
  }
  await redis.stop();
  await redis.start();
  workers.push(await createWorker(config, QUIET));
  const waitMs = 60_000;
  const t0 = performance.now();
  const ended = async () => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM build_sessions WHERE id = ANY($1::uuid[]) AND status NOT IN ('queued', 'running')`,
      [ids],
    );
    return rows[0].n;
  };
  await until(async () => (await ended()) === ids.length, 'queued builds to end', waitMs).catch(
    () => undefined,
  );
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM build_sessions WHERE id = ANY($1::uuid[]) GROUP BY status ORDER BY status`,
    [ids],
  );
  return [
    `restart with ${QUEUED_BUILDS} builds queued, then a worker:`,
    `  after ${Math.round((performance.now() - t0) / 1000)} s (limit ${waitMs / 1000} s): ${rows.map((row) => `${row.n} ${row.status}`).join(', ')}`,
  ].join('\n');
}

async function memory(apiUrl: string, projectId: string, redis: OwnRedis, db: pg.Client): Promise<string> {
  const before = await usedMemory(redis.url);
  const events = Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({ type: 'message', data: { role: 'assistant', text: `step ${i}` } }),
  );
  const padLine = (bytes: number) => JSON.stringify({ type: 'padding', data: {}, pad: 'x'.repeat(bytes) });
  const lines = [...events];
  for (let size = events.join('\n').length; size < TRANSCRIPT_BYTES; size += 1_000_001)
    lines.push(padLine(Math.min(1_000_000, TRANSCRIPT_BYTES - size)));
  const transcript = lines.join('\n');
  const ids: string[] = [];
  for (let i = 0; i < REPLAYS; i++) ids.push(await startReplay(apiUrl, projectId, transcript, 0));
  await until(
    async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM build_sessions WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
        [ids],
      );
      return rows[0].n === 0;
    },
    'the replays to end',
    600_000,
  );
  await sleep(1000);
  const after = await usedMemory(redis.url);
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return [
    `memory, ${REPLAYS} replays of ${mb(transcript.length)} MB:`,
    `  Redis used_memory: ${mb(before)} MB before, ${mb(after)} MB after the builds ended`,
  ].join('\n');
}

async function startReplay(apiUrl: string, projectId: string, transcript: string, eventIntervalMs: number) {
  const started = await post(apiUrl, `/projects/${projectId}/builds`, {
    agent: 'replay',
    format: 'buildcast-ndjson',
    transcript,
    eventIntervalMs,
  });
  if (started.status !== 202) throw new Error(`POST /builds answered ${started.status}`);
  return started.body.sessionId as string;
}

async function post(apiUrl: string, route: string, body: unknown, timeoutMs = 60_000) {
  const response = await fetch(apiUrl + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...BENCH_AUTHORIZATION },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function lastSeq(db: pg.Client, sessionId: string): Promise<number> {
  const { rows } = await db.query<{ last_seq: number }>('SELECT last_seq FROM build_sessions WHERE id = $1', [
    sessionId,
  ]);
  return rows[0]?.last_seq ?? 0;
}

async function status(db: pg.Client, sessionId: string): Promise<string> {
  const { rows } = await db.query<{ status: string }>('SELECT status FROM build_sessions WHERE id = $1', [
    sessionId,
  ]);
  return rows[0]?.status ?? 'missing';
}

async function usedMemory(url: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const info = await client.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)![1]);
  } finally {
    client.disconnect();
  }
}

interface OwnRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** redis-server on a free port, without persistence: a kill and start is a restart that lost everything. */
async function startRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'buildcast-bench-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    await until(async () => {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined); // refused until redis-server listens: connect() rejects too
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    }, 'redis-server to answer');
  };
  const stop = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = once(current, 'exit');
    current.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    start,
    stop,
    close: async () => (await stop(), rmSync(dir, { recursive: true, force: true })),
  };
}

async function closeAll(api: INestApplication, workers: INestApplicationContext[]): Promise<void> {
  for (const worker of workers) await worker.close();
  await api.close();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function until<T>(check: () => Promise<T>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
