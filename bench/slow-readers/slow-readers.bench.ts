// Slow readers: sockets that subscribe `since: 0` to sessions holding megabytes of events and
// then never read. What does the gateway queue for them, and does each still get every seq
// once it reads again? Run: npm run bench:slow-readers
// Knobs: BENCH_SOCKETS (5), BENCH_SESSIONS (4), BENCH_EVENTS (1000 per session),
// BENCH_OUTPUT_BYTES (16384 per tool output), BENCH_STALL_MS (15000),
// BENCH_MAX_BUFFERED_BYTES (1048576), BENCH_GATEWAYS (label=path/to/main.js,... ; default:
// this build's gateway).
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { loadConfig } from '#config';
import type { NewBuildEvent, ServerMessage } from '#contracts';
import { BuildReadModel, EventStore } from '#persistence';
import { createApi } from '../../apps/api/src/create-api.js';
import { killAllChildren, rssBytes, startServer } from '../fanout/procs.js';
import { BENCH_ADMIN_KEY, createBenchDatabase, realisticEvents, take } from '../support/bench-utils.js';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 5);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 4);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const OUTPUT_BYTES = Number(process.env.BENCH_OUTPUT_BYTES ?? 16384);
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 15_000);
const MAX_BUFFERED = Number(process.env.BENCH_MAX_BUFFERED_BYTES ?? 1024 * 1024);
const MiB = 1024 * 1024;

interface Session {
  projectId: string;
  sessionId: string;
  lastSeq: number;
  bytes: number;
}

async function seed(api: Awaited<ReturnType<typeof createApi>>): Promise<Session[]> {
  const readModel = api.get(BuildReadModel);
  const store = api.get(EventStore);
  const project = await readModel.createProject('slow readers bench');
  const padding = 'x'.repeat(OUTPUT_BYTES);
  const sessions: Session[] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const session = await readModel.createQueuedSession({
      projectId: project.id,
      agent: 'demo',
      agentId: 'bench',
      model: null,
      prompt: null,
    });
    const events: NewBuildEvent[] = [
      { type: 'session.started', data: { agentId: 'bench', model: 'bench', projectName: 'slow readers' } },
      ...take(realisticEvents(`s${s}`), EVENTS - 1),
    ];
    let bytes = 0;
    for (const event of events) {
      if (event.type === 'tool.finished') event.data.output += padding;
      bytes += JSON.stringify(event).length;
    }
    let lastSeq = 0;
    for (let i = 0; i < events.length; i += 250) {
      lastSeq = (await store.append(session!.id, events.slice(i, i + 250))).toSeq;
    }
    sessions.push({ projectId: project.id, sessionId: session!.id, lastSeq, bytes });
  }
  return sessions;
}

/** One socket that stops reading right after it subscribed, and checks every seq it gets. */
class StalledReader {
  readonly cursors = new Map<string, number>();
  violations = 0;
  private readonly socket: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.socket = new WebSocket(url, { headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}` } });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as ServerMessage;
      if (message.type !== 'events') return;
      const cursor = this.cursors.get(message.sessionId) ?? 0;
      if (message.fromSeq !== cursor + 1) this.violations += 1;
      this.cursors.set(message.sessionId, message.toSeq);
    });
  }

  private get transport(): { pause(): void; resume(): void } {
    return (this.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  }

  subscribeAndStall(sessions: Session[]): void {
    this.transport.pause();
    for (const { projectId, sessionId } of sessions) {
      this.socket.send(JSON.stringify({ type: 'subscribe', projectId, sessionId, since: 0 }));
    }
  }

  resume(): void {
    this.transport.resume();
  }

  hasAll(sessions: Session[]): boolean {
    return sessions.every((session) => this.cursors.get(session.sessionId) === session.lastSeq);
  }

  close(): void {
    this.socket.terminate();
  }
}

/** A gauge from /metrics, or 0 when the scrape fails (a gateway busy serializing can reset it). */
async function metric(metricsUrl: string, name: string): Promise<number> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(20_000) })).text();
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
    return Number(line?.split(' ')[1] ?? 0);
  } catch (error) {
    console.error(`[slow-readers] scrape failed: ${(error as Error).message}`);
    return 0;
  }
}

interface Result {
  label: string;
  rssBefore: number;
  /** While the sockets did not read, and while they drained. */
  peakRss: number;
  peakRssDraining: number;
  peakBuffered: number;
  /** Queued when the stall ended: what the gateway holds for sockets that never read. */
  bufferedAtEnd: number;
  drainMs: number | null;
  complete: number;
  violations: number;
}

async function runTarget(
  label: string,
  script: string,
  databaseUrl: string,
  sessions: Session[],
): Promise<Result> {
  process.env.BENCH_FANOUT_GATEWAY_SCRIPT = script;
  process.env.GATEWAY_MAX_BUFFERED_BYTES = String(MAX_BUFFERED);
  const server = await startServer('buildcast', {
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl,
  });
  const readers: StalledReader[] = [];
  try {
    const rssBefore = rssBytes(server.pid);
    for (let i = 0; i < SOCKETS; i++) readers.push(new StalledReader(server.url));
    await Promise.all(readers.map((reader) => reader.opened));
    for (const reader of readers) reader.subscribeAndStall(sessions);
    let peakRss = rssBefore;
    let peakBuffered = 0;
    const stallStart = performance.now();
    while (performance.now() - stallStart < STALL_MS) {
      peakRss = Math.max(peakRss, rssBytes(server.pid));
      peakBuffered = Math.max(
        peakBuffered,
        await metric(server.metricsUrl, 'buildcast_gateway_buffered_bytes'),
      );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const bufferedAtEnd = await metric(server.metricsUrl, 'buildcast_gateway_buffered_bytes');
    peakBuffered = Math.max(peakBuffered, bufferedAtEnd);
    let peakRssDraining = rssBytes(server.pid);
    const resumed = performance.now();
    for (const reader of readers) reader.resume();
    let drainMs: number | null = null;
    while (performance.now() - resumed < 120_000) {
      if (readers.every((reader) => reader.hasAll(sessions))) {
        drainMs = performance.now() - resumed;
        break;
      }
      peakRssDraining = Math.max(peakRssDraining, rssBytes(server.pid));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      label,
      rssBefore,
      peakRss,
      peakRssDraining,
      peakBuffered,
      bufferedAtEnd,
      drainMs,
      complete: readers.filter((reader) => reader.hasAll(sessions)).length,
      violations: readers.reduce((sum, reader) => sum + reader.violations, 0),
    };
  } finally {
    for (const reader of readers) reader.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const targets = (
    process.env.BENCH_GATEWAYS ??
    `this build=${new URL('../../apps/realtime-gateway/src/main.js', import.meta.url).pathname}`
  )
    .split(',')
    .map((entry) => entry.split('=') as [string, string]);
  const database = await createBenchDatabase();
  const api = await createApi(loadConfig({ DATABASE_URL: database.url }), ['error', 'warn']);
  try {
    const sessions = await seed(api);
    const perSession = sessions[0].bytes / MiB;
    const results: Result[] = [];
    for (const [label, script] of targets) {
      console.error(`[slow-readers] ${label}: ${script}`);
      results.push(await runTarget(label, script, database.url, sessions));
    }
    const bound = SOCKETS * MAX_BUFFERED;
    console.log(
      `Slow readers: ${SOCKETS} sockets each subscribe since=0 to ${SESSIONS} sessions of ${EVENTS} events (${perSession.toFixed(1)} MiB of event JSON each), ` +
        `then do not read for ${STALL_MS / 1000} s; GATEWAY_MAX_BUFFERED_BYTES ${MAX_BUFFERED} (sockets × limit = ${(bound / MiB).toFixed(1)} MiB)\n`,
    );
    console.log(
      '| gateway | peak buffered MiB | peak / (sockets × limit) | buffered at end of stall MiB | RSS before MiB | peak RSS stalled MiB (growth) | peak RSS draining MiB | all seqs after resume | gap-free |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of results) {
      console.log(
        `| ${r.label} | ${(r.peakBuffered / MiB).toFixed(1)} | ${(r.peakBuffered / bound).toFixed(2)} | ${(r.bufferedAtEnd / MiB).toFixed(1)} | ${(r.rssBefore / MiB).toFixed(0)} | ${(r.peakRss / MiB).toFixed(0)} (+${((r.peakRss - r.rssBefore) / MiB).toFixed(0)}) | ${(r.peakRssDraining / MiB).toFixed(0)} | ${r.complete}/${SOCKETS} sockets${r.drainMs === null ? '' : ` in ${(r.drainMs / 1000).toFixed(1)} s`} | ${r.violations === 0 ? 'yes' : `no (${r.violations})`} |`,
      );
    }
  } finally {
    await api.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  killAllChildren();
  process.exit(1);
});
