// Child processes of the fanout bench: the server under test and the client processes.
// Every child is registered so that a failure or Ctrl-C kills them all.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '#launch';
import { BENCH_ADMIN_KEY } from '../support/bench-utils.js';
import type { FromClients, TargetName, ToClients } from './protocol.js';

const children = new Set<ChildProcess>();

export function killAllChildren(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resident set size of a process, in bytes (VmRSS from /proc). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** User + system CPU time of processes so far, summed, in seconds (a process gone counts 0). */
export function cpuSecondsOf(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuSeconds(pid);
    } catch {
      // exited (a Postgres backend whose connection closed): its CPU is lost, a lower bound
    }
  }
  return total;
}

/** User + system CPU time of a process so far, in seconds (/proc/<pid>/stat, 100 ticks/s). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface ServerUnderTest {
  target: TargetName;
  /** The process that serves the sockets (its RSS is measured). */
  pid: number;
  /** Every process of the server (Buildcast end to end: gateway, API, runner-worker); CPU is their sum. */
  pids: number[];
  port: number;
  /** The URL the client processes connect to. */
  url: string;
  /** The gateway's Prometheus endpoint (on METRICS_PORT, apart from the public port). */
  metricsUrl: string;
  stop: () => Promise<void>;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Starts one target in its own process and resolves when GET /health answers 200.
 * `env` carries the target's tuning (heartbeat, coalescing).
 */
export async function startServer(
  target: TargetName,
  settings: { redisUrl: string; databaseUrl?: string; heartbeatMs?: number; coalesceMs?: number },
): Promise<ServerUnderTest> {
  const port = await freePort();
  const metricsPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: settings.redisUrl };
  let script: string;
  if (target === 'buildcast' || target === 'buildcast-redis') {
    // BENCH_FANOUT_GATEWAY_SCRIPT: another build of the gateway (or, to test the bench
    // itself, one of the comparators' scripts; they read PORT).
    script = process.env.BENCH_FANOUT_GATEWAY_SCRIPT ?? here('../../apps/realtime-gateway/src/main.js');
    Object.assign(env, {
      GATEWAY_PORT: String(port),
      METRICS_PORT: String(metricsPort),
      PORT: String(port),
      DATABASE_URL: settings.databaseUrl,
      BUILDCAST_ADMIN_KEY: BENCH_ADMIN_KEY, // the clients authenticate with it at connect
    });
    if (settings.heartbeatMs) env.GATEWAY_HEARTBEAT_MS = String(settings.heartbeatMs);
    if (settings.coalesceMs !== undefined) env.GATEWAY_COALESCE_MS = String(settings.coalesceMs);
  } else {
    script = here(target === 'socketio' ? './socketio-server.js' : './relay-server.js');
    env.PORT = String(port);
    if (settings.heartbeatMs) env.HEARTBEAT_MS = String(settings.heartbeatMs);
  }
  const { child, stop } = await startService(target, script, env, `http://127.0.0.1:${port}/health`);
  const url = target === 'socketio' ? `http://127.0.0.1:${port}` : `ws://127.0.0.1:${port}/ws`;
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  return { target, pid: child.pid!, pids: [child.pid!], port, url, metricsUrl, stop };
}

/**
 * Starts a node script in its own process and resolves when `healthUrl` answers 200; on
 * failure it is stopped and the error carries the tail of its output (echoed live with
 * BENCH_FANOUT_VERBOSE=1).
 */
export async function startService(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  healthUrl: string,
  timeoutMs = 30_000,
): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const child = track(spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    if (process.env.BENCH_FANOUT_VERBOSE) process.stderr.write(`[${name}] ${text}`);
    tail.push(text);
    if (tail.length > 30) tail.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const stop = () => stopChild(child);
  try {
    await waitForHealth(child, healthUrl, timeoutMs);
  } catch (error) {
    await stop();
    throw new Error(`${name} did not start: ${(error as Error).message}\n${tail.join('')}`, { cause: error });
  }
  return { child, stop };
}

async function waitForHealth(child: ChildProcess, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no 200 from ${url} within ${timeoutMs} ms`);
}

/** A client process (clients.ts) with a typed request/response over IPC. */
export class ClientProcess {
  private readonly child: ChildProcess;
  /**
   * The requests waiting for a reply, by reply type, oldest first: the process answers in
   * order, and the bench may have several of one type out at once (the sparse end-to-end run
   * subscribes each build's sockets as its POST answers).
   */
  private readonly waiting = new Map<string, Array<(message: FromClients) => void>>();

  constructor() {
    this.child = track(fork(here('./clients.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    // A send to a process that is gone (Ctrl-C, crash) surfaces as exit, not as a throw.
    this.child.on('error', (error) => console.error(`[clients] ${error.message}`));
    this.child.on('message', (message: FromClients) => {
      this.waiting.get(message.type)?.shift()?.(message);
    });
  }

  /** Sends a request and resolves with the reply of type `reply`. */
  request<T extends FromClients['type']>(
    message: ToClients,
    reply: T,
  ): Promise<Extract<FromClients, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`client process exited (${code})`));
      this.child.once('exit', onExit);
      const queue = this.waiting.get(reply) ?? [];
      this.waiting.set(reply, queue);
      queue.push((message) => {
        this.child.off('exit', onExit);
        resolve(message as Extract<FromClients, { type: T }>);
      });
      this.child.send(message, (error) => {
        if (error) reject(error);
      });
    });
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.send({ type: 'close' } satisfies ToClients, () => undefined);
    await stopChild(this.child, 3000);
  }
}
