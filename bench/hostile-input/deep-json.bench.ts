// Deeply nested JSON bodies against a real API process: how long the hostile request takes,
// what it answers, and how long /api/health waits meanwhile (polled back to back).
// Run: npm run build && node dist/bench/hostile-input/deep-json.bench.js
// Env: BENCH_DEPTHS (comma-separated, default 4000000); BENCH_PARALLEL (bodies sent at once,
// default 1); BENCH_API_ROOT (a checkout whose dist/apps/api/src/main.js to start, default
// this one; used to measure an older build).
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { BENCH_ADMIN_KEY, BENCH_AUTHORIZATION, createBenchDatabase } from '../support/bench-utils.js';

const DEPTHS = (process.env.BENCH_DEPTHS ?? '4000000').split(',').map(Number);
const API_ROOT = path.resolve(process.env.BENCH_API_ROOT ?? process.cwd());
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 1);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Run {
  depth: number;
  bytes: number;
  status: string;
  seconds: number;
  message: string;
  healthChecks: number;
  healthMaxMs: number;
  peakRssMb: number;
}

/** node:http without fetch's 300 s header timeout: the old API took longer than that. */
function send(url: string, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      url,
      // A POST carries the admin key, so its body meets POST /projects as before authentication
      // existed (/api/health needs none; an older build ignores the header).
      { method, headers: body ? { 'content-type': 'application/json', ...BENCH_AUTHORIZATION } : {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHealth(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    const ok = await send(`${base}/health`).then(
      ({ status }) => status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the API did not become healthy within 60 s');
}

/** VmHWM: the process's peak resident set since it started. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

async function measure(base: string, depth: number, pid: number): Promise<Run> {
  const body = '['.repeat(depth) + ']'.repeat(depth);
  let done = false;
  const healthTimes: number[] = [];
  // Back-to-back health checks while the hostile body is being answered.
  const poll = (async () => {
    while (!done) {
      const started = performance.now();
      await send(`${base}/health`).catch(() => undefined);
      healthTimes.push(performance.now() - started);
    }
  })();
  const started = performance.now();
  // PARALLEL identical bodies at once; the row reports the last answer.
  const responses = await Promise.all(
    Array.from({ length: PARALLEL }, () => send(`${base}/projects`, 'POST', body)),
  );
  const response = responses.at(-1)!;
  const text = response.text;
  const seconds = (performance.now() - started) / 1000;
  done = true;
  await poll;
  let message = text.slice(0, 120);
  try {
    message = String((JSON.parse(text) as { message?: unknown }).message);
  } catch {
    // not JSON: keep the text
  }
  return {
    depth,
    bytes: body.length,
    status: [...new Set(responses.map(({ status }) => status))].join('/'),
    seconds,
    message,
    healthChecks: healthTimes.length,
    healthMaxMs: Math.round(Math.max(...healthTimes)),
    peakRssMb: peakRssMb(pid),
  };
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/api`;
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    cwd: API_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: `buildcast-bench-${randomBytes(4).toString('hex')}`,
      API_PORT: String(port),
      API_METRICS_PORT: '0',
      BUILDCAST_ADMIN_KEY: BENCH_ADMIN_KEY, // an older build ignores it
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForHealth(base, child);
    console.log(`API from ${API_ROOT}, pid ${child.pid}, ${PARALLEL} bodies at once`);
    console.log(
      '| depth | body bytes | status | seconds | /api/health checks meanwhile | slowest health ms | API peak RSS MB | message |',
    );
    for (const depth of DEPTHS) {
      const run = await measure(base, depth, child.pid!);
      console.log(
        `| ${run.depth} | ${run.bytes} | ${run.status} | ${run.seconds.toFixed(2)} | ${run.healthChecks} | ${run.healthMaxMs} | ${run.peakRssMb} | ${run.message} |`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
