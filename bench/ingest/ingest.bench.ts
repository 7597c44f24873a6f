// Ingest: one session appending serially (latency, round trips and Node CPU per append), then
// 50 concurrent sessions appending through EventStore + publish (commit, then PUBLISH), at
// batch sizes 1, 10 and 100, closed and open loop; then the runner's appender replaying
// transcripts (runner-appender.ts), group commit beside one event per append. Run: npm run bench:ingest
import 'reflect-metadata';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '#config';
import type { NewBuildEvent } from '#contracts';
import { BuildLog, EventPublisher, RedisChannelPublisher, RedisService } from '#bus';
import { BuildReadModel, EventStore, prepareDatabase } from '#persistence';
import {
  backendCpuMeter,
  createBenchDatabase,
  median,
  percentile,
  realisticEvents,
  take,
} from '../support/bench-utils.js';
import { REPLAY_HEADER, replayAll, replayRow, type AppenderMode, type ReplayRun } from './runner-appender.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 8000);
const BATCH_SIZES = (process.env.BENCH_BATCH_SIZES ?? '1,10,100').split(',').map(Number);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 20);
/** Open-loop part: each session's agent emits events at this rate; appends group-commit them. */
const OFFERED_PER_SESSION = Number(process.env.BENCH_RATE_PER_SESSION ?? 200);
const MAX_BATCH = 100;
/** Which parts run: serial, closed, open, replay (comma-separated). */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'serial,closed,open,replay').split(','));
const SERIAL_APPENDS = Number(process.env.BENCH_SERIAL_APPENDS ?? 300);
const SERIAL_BATCH_SIZES = (process.env.BENCH_SERIAL_BATCH_SIZES ?? '1,10').split(',').map(Number);
/** Serial part: appends before the measured ones (a few: the code is still being compiled). */
const SERIAL_WARMUP = Number(process.env.BENCH_SERIAL_WARMUP ?? 30);
/** Replay part: one session's transcript, and each session's in the aggregate run (per-event: a tenth). */
const REPLAY_EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 10_000);
const REPLAY_AGGREGATE_EVENTS = Number(process.env.BENCH_REPLAY_AGGREGATE_EVENTS ?? 2_000);
const REPLAY_MODES = (process.env.BENCH_REPLAY_MODES ?? 'per-event,group').split(',') as AppenderMode[];
/** Replay part: how many times it all runs in this process (later rounds: the code is compiled, warm). */
const REPLAY_ROUNDS = Number(process.env.BENCH_REPLAY_ROUNDS ?? 1);

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const config = loadConfig({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: String(POOL_SIZE) });
  const dataSource = await prepareDatabase(config.databaseUrl, { poolSize: POOL_SIZE });
  const redis = new RedisService(config);
  await redis.onModuleInit(); // connected before the first publish (the client has no offline queue)
  const store = new EventStore(dataSource);
  const readModel = new BuildReadModel(dataSource);
  const publisher = new EventPublisher(new RedisChannelPublisher(redis));
  const project = await readModel.createProject('ingest bench');
  const rows: string[] = [];
  let serial = '';
  let openLoop = '';
  let replays = '';
  try {
    if (PARTS.has('replay')) {
      const startBackendCpu = () => backendCpuMeter((sql) => dataSource.query(sql));
      replays = await runReplays(new BuildLog(store, publisher), readModel, project.id, startBackendCpu);
    }
    if (PARTS.has('serial')) serial = await runSerial(store, readModel, project.id);
    for (const batchSize of PARTS.has('closed') ? BATCH_SIZES : []) {
      const sessions = await createSessions(readModel, project.id);
      const latencies: number[] = [];
      let events = 0;
      const started = performance.now();
      const deadline = started + DURATION_MS;
      await Promise.all(
        sessions.map(async (session, index) => {
          const source = realisticEvents(`s${index}`);
          while (performance.now() < deadline) {
            const batch = take(source, batchSize);
            const { ms, committed } = await timedAppend(store, publisher, session, batch);
            latencies.push(ms);
            events += committed;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const row = `| ${batchSize} | ${SESSIONS} | ${Math.round(events / seconds).toLocaleString('en')} | ${latencies.length.toLocaleString('en')} | ${percentile(latencies, 50).toFixed(2)} | ${percentile(latencies, 99).toFixed(2)} | ${(percentile(latencies, 99) / batchSize).toFixed(3)} |`;
      rows.push(row);
      console.error(`batch ${batchSize}: done`);
    }
    if (PARTS.has('open')) openLoop = await runOpenLoop(store, publisher, readModel, project.id);
  } finally {
    await redis.onApplicationShutdown();
    await dataSource.destroy();
    await database.drop();
  }
  console.log(serial);
  console.log(replays);
  if (rows.length === 0) {
    console.log(openLoop);
    return;
  }
  console.log(
    `Ingest, ${SESSIONS} concurrent sessions, ${DURATION_MS / 1000} s per batch size, pool ${POOL_SIZE}\n`,
  );
  console.log(
    '| batch size | sessions | events/s | appends | append p50 ms | append p99 ms | p99 ms per event |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  console.log(openLoop);
}

/** One measured append: commit, then PUBLISH, timed around both (what a runner pays). */
async function timedAppend(
  store: EventStore,
  publisher: EventPublisher,
  sessionId: string,
  batch: NewBuildEvent[],
) {
  const t0 = performance.now();
  const appended = await store.append(sessionId, batch);
  await publisher.publishCommitted(appended);
  return { ms: performance.now() - t0, committed: appended.events.length };
}

/**
 * One session, one append at a time, no publish, nothing else running: the cost of an append
 * itself. Round trips are the queries pg sent (BEGIN and COMMIT included); Node CPU is this
 * process' user + system time per append; Postgres CPU is that of every local postgres process
 * (backends, WAL writer…) read from /proc, so only meaningful on an otherwise idle machine.
 */
async function runSerial(store: EventStore, readModel: BuildReadModel, projectId: string) {
  let queries = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    queries += 1;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  const lines = [
    `Serial: one session, ${SERIAL_APPENDS} appends per batch size after ${SERIAL_WARMUP} warm-up, no publish\n`,
    '| batch size | append p50 ms | p90 ms | p99 ms | round trips per append | Node CPU µs per append | Postgres CPU µs per append |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  try {
    for (const batchSize of SERIAL_BATCH_SIZES) {
      const [session] = await createSessions(readModel, projectId, 1);
      const source = realisticEvents(`serial${batchSize}`);
      for (let i = 0; i < SERIAL_WARMUP; i++) await store.append(session, take(source, batchSize));
      const latencies: number[] = [];
      queries = 0;
      const cpu = process.cpuUsage();
      const postgresCpu = postgresCpuMs();
      for (let i = 0; i < SERIAL_APPENDS; i++) {
        const batch = take(source, batchSize);
        const t0 = performance.now();
        await store.append(session, batch);
        latencies.push(performance.now() - t0);
      }
      const { user, system } = process.cpuUsage(cpu);
      const postgresUs = ((postgresCpuMs() - postgresCpu) * 1000) / SERIAL_APPENDS;
      latencies.sort((a, b) => a - b);
      lines.push(
        `| ${batchSize} | ${percentile(latencies, 50).toFixed(2)} | ${percentile(latencies, 90).toFixed(2)} | ${percentile(latencies, 99).toFixed(2)} | ${(queries / SERIAL_APPENDS).toFixed(2)} | ${Math.round((user + system) / SERIAL_APPENDS)} | ${Number.isNaN(postgresUs) ? 'n/a' : Math.round(postgresUs)} |`,
      );
    }
  } finally {
    pg.Client.prototype.query = query;
  }
  console.error('serial: done');
  return lines.join('\n') + '\n';
}

/**
 * The runner's appender (SessionRecorder) replaying transcripts with eventIntervalMs 0: one
 * session, then SESSIONS at once; each in every REPLAY_MODES, one after the other.
 */
async function runReplays(
  log: BuildLog,
  readModel: BuildReadModel,
  projectId: string,
  startBackendCpu: () => Promise<() => Promise<number>>,
) {
  const idle = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const { user, system } = process.cpuUsage(idle);
  console.error(`idle: ${((user + system) / 3000).toFixed(1)} µs of CPU per ms`);
  const rows: string[] = [];
  const warmAggregates: ReplayRun[] = [];
  for (let round = 1; round <= REPLAY_ROUNDS; round++) {
    for (const mode of REPLAY_MODES) {
      const [session] = await createSessions(readModel, projectId, 1);
      rows.push(
        replayRow(
          await replayAll(log, readModel, projectId, [session], REPLAY_EVENTS, mode, startBackendCpu),
        ),
      );
      console.error(`replay ${mode}, one session: done (round ${round})`);
    }
    for (const mode of REPLAY_MODES) {
      const sessions = await createSessions(readModel, projectId);
      const events = mode === 'group' ? REPLAY_AGGREGATE_EVENTS : Math.ceil(REPLAY_AGGREGATE_EVENTS / 10);
      const run = await replayAll(log, readModel, projectId, sessions, events, mode, startBackendCpu);
      rows.push(replayRow(run));
      if (mode === 'group' && round > 1) warmAggregates.push(run);
      console.error(`replay ${mode}, ${SESSIONS} sessions: done (round ${round})`);
    }
  }
  return [
    `Runner appender: replays with eventIntervalMs 0 (parse, record, append, publish), pool ${POOL_SIZE}\n`,
    ...REPLAY_HEADER,
    ...rows,
    ...warmSummary(warmAggregates),
  ].join('\n');
}

/**
 * The group replays of SESSIONS after the first round (whose code is still being compiled): the
 * runner-worker is a long-lived process. Medians and ranges, since one round on a shared
 * machine can be a third off.
 */
function warmSummary(runs: ReplayRun[]): string[] {
  if (runs.length === 0) return [];
  const range = (values: number[], format: (value: number) => string) =>
    `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
  const rate = (value: number) => Math.round(value).toLocaleString('en');
  const micros = (value: number) => value.toFixed(1);
  return [
    '',
    `Warm rounds 2–${REPLAY_ROUNDS}, group, ${SESSIONS} sessions, median (range): ` +
      `${range(
        runs.map((run) => run.events / run.seconds),
        rate,
      )} events/s; ` +
      `runner CPU ${range(
        runs.map((run) => run.cpuUsPerEvent),
        micros,
      )} µs per event; ` +
      `Postgres CPU ${range(
        runs.map((run) => run.postgresUsPerEvent),
        micros,
      )} µs per event`,
  ];
}

/** CPU time of the local postgres processes so far, ms (NaN where /proc cannot tell). */
function postgresCpuMs(): number {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      if (!stat.includes(' (postgres) ')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    }
    return ticks * 10; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

/** SESSIONS queued sessions, fresh for each run so earlier rows don't weigh on it. */
async function createSessions(
  readModel: BuildReadModel,
  projectId: string,
  count = SESSIONS,
): Promise<string[]> {
  const sessions = await Promise.all(
    Array.from({ length: count }, () =>
      readModel.createQueuedSession({
        projectId,
        agent: 'demo',
        agentId: 'bench',
        model: null,
        prompt: null,
      }),
    ),
  );
  return sessions.map((session) => session!.id);
}

/**
 * 50 agents emitting events at a steady rate (open loop). Each session appends whatever
 * arrived while its previous append was in flight, up to 100 events: one transaction, one
 * publish. Reports the achieved rate, the append (commit + publish) latency, and the time from
 * an event's arrival to its publish.
 */
async function runOpenLoop(
  store: EventStore,
  publisher: EventPublisher,
  readModel: BuildReadModel,
  projectId: string,
) {
  const sessions = await createSessions(readModel, projectId);
  const appendLatencies: number[] = [];
  const eventLatencies: number[] = [];
  const batchSizes: number[] = [];
  let events = 0;
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    sessions.map(async (session, index) => {
      const source = realisticEvents(`o${index}`);
      const intervalMs = 1000 / OFFERED_PER_SESSION;
      let emitted = 0;
      // Events "arrive" on a schedule; an append takes everything that has arrived so far.
      const offset = Math.random() * intervalMs;
      while (performance.now() < deadline) {
        const now = performance.now();
        const due = Math.min(Math.floor((now - started - offset) / intervalMs) + 1, emitted + MAX_BATCH);
        if (due <= emitted) {
          await new Promise((resolve) => setTimeout(resolve, intervalMs));
          continue;
        }
        const arrivals = Array.from(
          { length: due - emitted },
          (_, i) => started + offset + (emitted + i) * intervalMs,
        );
        const batch = take(source, due - emitted);
        emitted = due;
        const { ms, committed } = await timedAppend(store, publisher, session, batch);
        const t1 = performance.now();
        appendLatencies.push(ms);
        batchSizes.push(batch.length);
        for (const arrival of arrivals) eventLatencies.push(t1 - arrival);
        events += committed;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  appendLatencies.sort((a, b) => a - b);
  eventLatencies.sort((a, b) => a - b);
  batchSizes.sort((a, b) => a - b);
  return [
    `\nOpen loop: ${SESSIONS} sessions × ${OFFERED_PER_SESSION} events/s offered = ${(SESSIONS * OFFERED_PER_SESSION).toLocaleString('en')} events/s, group commit per session (≤ ${MAX_BATCH})\n`,
    '| events/s achieved | appends | median batch | append p50 ms | append p99 ms | arrival→published p50 ms | p99 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${Math.round(events / seconds).toLocaleString('en')} | ${appendLatencies.length.toLocaleString('en')} | ${percentile(batchSizes, 50)} | ${percentile(appendLatencies, 50).toFixed(2)} | ${percentile(appendLatencies, 99).toFixed(2)} | ${percentile(eventLatencies, 50).toFixed(2)} | ${percentile(eventLatencies, 99).toFixed(2)} |`,
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
