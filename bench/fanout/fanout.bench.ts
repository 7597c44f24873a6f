// Fanout: how fast committed events reach many WebSocket clients, Buildcast's gateway against
// two comparators the bench builds itself (Socket.IO 4 + redis-adapter, and a bare ws relay).
// Workloads: burst (1 session × 1,000 clients, 5,000 events), sparse (100 sessions × 10
// clients, 10 events/s each) and idle (15,000 connections: memory and heartbeat CPU).
// Processes: this one publishes; the server under test and the clients (≤ 500 sockets per
// process, 5,000 when idle) each run in their own child processes.
//
// Run: npm run bench:fanout -- [--targets buildcast,socketio,relay] [--workloads burst,sparse,idle] [--quick]
// Sizes and knobs: BENCH_FANOUT_* env vars, listed in `settings` below.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { prepareDatabase } from '#persistence';
import { createBenchDatabase, realisticEvents, take } from '../support/bench-utils.js';
import {
  BuildsProbe,
  createProject,
  startBuildcastStack,
  startReplay,
  transcriptOf,
  type BuildcastStack,
} from './buildcast-stack.js';
import {
  ClientProcess,
  cpuSecondsOf,
  killAllChildren,
  rssBytes,
  startServer,
  type ServerUnderTest,
} from './procs.js';
import { BuildcastPublisher, RedisPublisher, UnpersistedPublisher, type Publisher } from './publisher.js';
import {
  Histogram,
  roomKey,
  wallNow,
  type ClientProtocol,
  type Counters,
  type FinishReport,
  type Room,
  type TargetName,
} from './protocol.js';

const TARGETS: TargetName[] = ['buildcast-e2e', 'buildcast', 'socketio', 'relay'];
/** Targets whose publisher commits to Postgres first. */
const PERSISTED: TargetName[] = ['buildcast', 'relay-pg'];
/** Targets that need the bench database (buildcast-redis only for its sessions). */
const NEEDS_DATABASE: TargetName[] = [...PERSISTED, 'buildcast-redis', 'buildcast-e2e'];
/** Buildcast's own rows, compared with the comparators in the report. */
const BUILDCAST_TARGETS: TargetName[] = ['buildcast-e2e', 'buildcast'];
const WORKLOADS = ['burst', 'sparse', 'idle'] as const;
type Workload = (typeof WORKLOADS)[number];

const { values: flags } = parseArgs({
  options: {
    // Also accepts relay-pg and buildcast-redis (diagnostics, not run by default).
    targets: { type: 'string', default: TARGETS.join(',') },
    workloads: { type: 'string', default: WORKLOADS.join(',') },
    // Development sizes (100 clients, 500 events, ...); env vars still override.
    quick: { type: 'boolean', default: false },
  },
});
const quick = flags.quick;
const num = (name: string, full: number, small = full): number => {
  const value = process.env[`BENCH_FANOUT_${name}`];
  return value === undefined || value === '' ? (quick ? small : full) : Number(value);
};

const settings = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  burstClients: num('BURST_CLIENTS', 1000, 100),
  burstEvents: num('BURST_EVENTS', 5000, 500),
  /** Events per append for buildcast under burst (the comparators always publish one per message). */
  burstAppendBatch: num('BURST_APPEND_BATCH', 1),
  sparseSessions: num('SPARSE_SESSIONS', 100, 10),
  sparseClients: num('SPARSE_CLIENTS', 10),
  sparseRate: num('SPARSE_RATE', 10),
  sparseSeconds: num('SPARSE_SECONDS', 20, 5),
  idleConnections: num('IDLE_CONNECTIONS', 15_000, 1000),
  idleSessions: num('IDLE_SESSIONS', 150, 10),
  /** Heartbeat interval during idle, shortened to amplify its CPU cost; scaled back to 30 s. */
  idleHeartbeatMs: num('IDLE_HEARTBEAT_MS', 1000),
  idleWindowMs: num('IDLE_WINDOW_MS', 30_000, 5000),
  clientsPerProcess: num('CLIENTS_PER_PROCESS', 500),
  idleClientsPerProcess: num('IDLE_CLIENTS_PER_PROCESS', 5000),
  connectConcurrency: num('CONNECT_CONCURRENCY', 50),
  convergeTimeoutMs: num('CONVERGE_TIMEOUT_MS', 180_000, 60_000),
  /** Unset = the gateway's default (200 ms). */
  coalesceMs: process.env.BENCH_FANOUT_COALESCE_MS ? Number(process.env.BENCH_FANOUT_COALESCE_MS) : undefined,
  poolSize: num('POOL_SIZE', 20),
  /** buildcast-e2e: BUILDCAST_TRANSPORT of its processes. */
  transport: process.env.BENCH_FANOUT_TRANSPORT ?? 'redis',
  /** buildcast-e2e: WORKER_CONCURRENCY (every sparse replay at once, as the issue measured). */
  workerConcurrency: num('WORKER_CONCURRENCY', 100),
};

const targets = parseList(flags.targets, [...TARGETS, 'relay-pg', 'buildcast-redis'] as TargetName[]);
const workloads = parseList(flags.workloads, WORKLOADS);

function parseList<T extends string>(value: string, allowed: readonly T[]): T[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const item of items)
    if (!allowed.includes(item as T)) throw new Error(`unknown "${item}"; one of ${allowed.join(', ')}`);
  return items as T[];
}

interface Result {
  target: TargetName;
  workload: Workload;
  error?: string;
  metrics: Record<string, number>;
  notes: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) =>
  console.error(`[fanout ${new Date().toISOString().slice(11, 19)}] ${message}`);
const protocolOf = (target: TargetName): ClientProtocol => (target === 'socketio' ? 'socketio' : 'ws');

/** Spreads `count` sockets per room over client processes of at most `perProcess` sockets. */
async function connectClients(
  server: ServerUnderTest,
  rooms: Array<Room & { count: number }>,
  perProcess: number,
  capacity: number,
  deferred = false,
): Promise<ClientProcess[]> {
  const buckets: Array<Array<Room & { count: number }>> = [[]];
  let free = perProcess;
  for (const room of rooms) {
    let left = room.count;
    while (left > 0) {
      if (free === 0) {
        buckets.push([]);
        free = perProcess;
      }
      const take = Math.min(left, free);
      buckets.at(-1)!.push({ ...room, count: take });
      left -= take;
      free -= take;
    }
  }
  const processes = buckets.map(() => new ClientProcess());
  const replies = await Promise.all(
    processes.map((client, index) =>
      client.request(
        {
          type: 'connect',
          protocol: protocolOf(server.target),
          url: server.url,
          rooms: buckets[index],
          capacity,
          concurrency: settings.connectConcurrency,
          deferred,
        },
        'connected',
      ),
    ),
  );
  const failed = replies.reduce((sum, reply) => sum + reply.failed, 0);
  if (failed > 0) {
    const errors = [...new Set(replies.flatMap((reply) => reply.errors))].join('; ');
    await Promise.all(processes.map((client) => client.close()));
    throw new Error(
      `${failed} of ${rooms.reduce((s, r) => s + r.count, 0)} sockets failed to subscribe: ${errors}`,
    );
  }
  return processes;
}

/** Tells every client process that publishing is over, waits for their reports, merges them. */
async function finishClients(
  processes: ClientProcess[],
  rooms: Room[],
  commitTimes: Map<string, number[]>,
  liveOnly = false,
): Promise<FinishReport> {
  const payload = Object.fromEntries(
    rooms.map((room) => {
      const times = commitTimes.get(roomKey(room))!;
      return [roomKey(room), { lastSeq: times.length - 1, commitTimes: times }];
    }),
  );
  const reports = await Promise.all(
    processes.map((client) =>
      client.request(
        { type: 'finish', rooms: payload, timeoutMs: settings.convergeTimeoutMs, liveOnly },
        'finished',
      ),
    ),
  );
  const histogram = new Histogram();
  for (const report of reports) histogram.merge(report.histogram);
  const sum = (pick: (report: FinishReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
  return {
    ...sumCounters(reports),
    currentSockets: sum((r) => r.currentSockets),
    lastCurrentAt: Math.max(...reports.map((r) => r.lastCurrentAt)),
    duplicateSeqs: sum((r) => r.duplicateSeqs),
    missingSeqs: sum((r) => r.missingSeqs),
    histogram: histogram.entries(),
  };
}

function sumCounters(reports: Counters[]): Counters {
  const other: Record<string, number> = {};
  for (const report of reports)
    for (const [k, v] of Object.entries(report.other)) other[k] = (other[k] ?? 0) + v;
  const sum = (pick: (c: Counters) => number) => reports.reduce((total, c) => total + pick(c), 0);
  return {
    sockets: sum((c) => c.sockets),
    eventFrames: sum((c) => c.eventFrames),
    heartbeats: sum((c) => c.heartbeats),
    pings: sum((c) => c.pings),
    closed: sum((c) => c.closed),
    other,
  };
}

/** The delivery metrics shared by burst and sparse. */
function deliveryMetrics(
  report: FinishReport,
  firstCommit: number,
  lastCommit: number,
  deliveries: number,
): Pick<Result, 'metrics' | 'notes'> {
  const histogram = new Histogram();
  histogram.merge(report.histogram);
  const converged = report.currentSockets === report.sockets;
  const notes: string[] = [];
  if (!converged)
    notes.push(
      `only ${report.currentSockets} of ${report.sockets} clients current after ${settings.convergeTimeoutMs} ms`,
    );
  if (report.missingSeqs > 0) notes.push(`${report.missingSeqs} (socket, seq) pairs never delivered`);
  if (report.duplicateSeqs > 0) notes.push(`${report.duplicateSeqs} seqs delivered twice`);
  if (report.closed > 0) notes.push(`${report.closed} sockets closed by the server`);
  for (const [kind, count] of Object.entries(report.other)) notes.push(`${count} × ${kind} frames`);
  return {
    metrics: {
      publishMs: lastCommit - firstCommit,
      convergeAfterLastMs: converged ? report.lastCurrentAt - lastCommit : NaN,
      convergeAfterFirstMs: converged ? report.lastCurrentAt - firstCommit : NaN,
      frames: report.eventFrames,
      deliveries,
      framesPerDelivery: report.eventFrames / deliveries,
      p50: histogram.percentile(50),
      p99: histogram.percentile(99),
      max: histogram.percentile(100),
    },
    notes,
  };
}

/** Samples the server's RSS every 100 ms; `stop` returns the peak (socket buffers under load). */
function sampleRss(pid: number): { stop: () => number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // the process is gone; the run will report why
    }
  }, 100).unref();
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/** A: one session, many clients, every event as fast as the publisher can commit it. */
async function runBurst(
  server: ServerUnderTest,
  publisher: Publisher,
): Promise<Pick<Result, 'metrics' | 'notes'>> {
  const { burstClients: clients, burstEvents: events } = settings;
  const [room] = await publisher.createRooms(1);
  await sleep(500);
  const rssEmpty = rssBytes(server.pid);
  const processes = await connectClients(
    server,
    [{ ...room, count: clients }],
    settings.clientsPerProcess,
    events,
  );
  try {
    await sleep(1000);
    const rssConnected = rssBytes(server.pid);
    log(`${server.target} burst: ${clients} clients subscribed; publishing ${events} events`);
    const cpuBefore = cpuSecondsOf(server.pids);
    const rssSampler = sampleRss(server.pid);
    const commitTimes = [0];
    const source = realisticEvents('burst');
    // Buildcast: one append per `burstAppendBatch` events; comparators: one message per event.
    const batch = PERSISTED.includes(server.target) ? settings.burstAppendBatch : 1;
    for (let sent = 0; sent < events; sent += batch) {
      const commit = await publisher.commit(room, take(source, Math.min(batch, events - sent)));
      for (let seq = commit.fromSeq; seq <= commit.toSeq; seq++) commitTimes[seq] = commit.committedAt;
    }
    const firstCommit = commitTimes[1];
    const lastCommit = commitTimes[events];
    log(
      `${server.target} burst: published in ${Math.round(lastCommit - firstCommit)} ms; waiting for clients`,
    );
    const report = await finishClients(processes, [room], new Map([[roomKey(room), commitTimes]]));
    const result = deliveryMetrics(report, firstCommit, lastCommit, events * clients);
    result.metrics.serverCpuS = cpuSecondsOf(server.pids) - cpuBefore;
    result.metrics.rssPeakMB = rssSampler.stop() / 2 ** 20;
    result.metrics.rssPerConnKB = (rssConnected - rssEmpty) / clients / 1024;
    return result;
  } finally {
    await Promise.all(processes.map((client) => client.close()));
  }
}

/** B: many sessions, few clients each, a steady trickle: latency, where coalescing must not add delay. */
async function runSparse(
  server: ServerUnderTest,
  publisher: Publisher,
): Promise<Pick<Result, 'metrics' | 'notes'>> {
  const { sparseSessions, sparseClients, sparseRate, sparseSeconds } = settings;
  const perRoom = Math.round(sparseRate * sparseSeconds);
  const rooms = await publisher.createRooms(sparseSessions);
  await sleep(500);
  const rssEmpty = rssBytes(server.pid);
  const processes = await connectClients(
    server,
    rooms.map((room) => ({ ...room, count: sparseClients })),
    settings.clientsPerProcess,
    perRoom,
  );
  try {
    await sleep(1000);
    const rssConnected = rssBytes(server.pid);
    log(
      `${server.target} sparse: ${rooms.length * sparseClients} clients subscribed; ${sparseSeconds} s at ${sparseRate} events/s per session`,
    );
    const cpuBefore = cpuSecondsOf(server.pids);
    const rssSampler = sampleRss(server.pid);
    const commitTimes = new Map(rooms.map((room) => [roomKey(room), [0]]));
    const lateness: number[] = [];
    const interval = 1000 / sparseRate;
    const start = wallNow() + 200;
    // Each session on its own schedule (random phase), one event per append, in seq order.
    await Promise.all(
      rooms.map(async (room, index) => {
        const source = realisticEvents(`sparse${index}`);
        const times = commitTimes.get(roomKey(room))!;
        const offset = Math.random() * interval;
        for (let k = 0; k < perRoom; k++) {
          const due = start + offset + k * interval;
          const wait = due - wallNow();
          if (wait > 0) await sleep(wait);
          lateness.push(wallNow() - due);
          const commit = await publisher.commit(room, take(source, 1));
          times[commit.toSeq] = commit.committedAt;
        }
      }),
    );
    const all = [...commitTimes.values()].flatMap((times) => times.slice(1));
    const firstCommit = Math.min(...all);
    const lastCommit = Math.max(...all);
    log(`${server.target} sparse: published; waiting for clients`);
    const report = await finishClients(processes, rooms, commitTimes);
    const result = deliveryMetrics(report, firstCommit, lastCommit, perRoom * sparseClients * rooms.length);
    result.metrics.serverCpuS = cpuSecondsOf(server.pids) - cpuBefore;
    result.metrics.rssPeakMB = rssSampler.stop() / 2 ** 20;
    result.metrics.rssPerConnKB = (rssConnected - rssEmpty) / (rooms.length * sparseClients) / 1024;
    lateness.sort((a, b) => a - b);
    const lateP99 = lateness[Math.floor(lateness.length * 0.99)];
    // A publisher that can't keep the schedule (e.g. appends queueing) offers less than the target rate.
    if (lateP99 > 20)
      result.notes.push(`publisher behind schedule: append start p99 ${lateP99.toFixed(0)} ms late`);
    result.metrics.offeredPerSecond = all.length / ((lastCommit - firstCommit) / 1000);
    return result;
  } finally {
    await Promise.all(processes.map((client) => client.close()));
  }
}

/** C: many idle connections: memory per connection, and the CPU the heartbeats cost. */
async function runIdle(
  server: ServerUnderTest,
  publisher: Publisher,
): Promise<Pick<Result, 'metrics' | 'notes'>> {
  const { idleConnections, idleSessions, idleHeartbeatMs, idleWindowMs } = settings;
  const rooms = await publisher.createRooms(idleSessions);
  const perRoom = Math.floor(idleConnections / idleSessions);
  const wanted = rooms.map((room, i) => ({
    ...room,
    count: perRoom + (i < idleConnections % idleSessions ? 1 : 0),
  }));
  await sleep(2000);
  const rssEmpty = rssBytes(server.pid);
  log(`${server.target} idle: connecting ${idleConnections} sockets over ${idleSessions} sessions`);
  // Two steps: the RSS slope between them is the marginal cost of a connection, free of
  // whatever the first connections warm up (JIT, buffers, Redis subscriptions).
  const half = wanted.length >> 1;
  const connectStart = wallNow();
  const processes = await connectClients(server, wanted.slice(0, half), settings.idleClientsPerProcess, 16);
  const firstConnectMs = wallNow() - connectStart;
  try {
    await sleep(2000);
    const rssHalf = rssBytes(server.pid);
    const secondStart = wallNow();
    processes.push(...(await connectClients(server, wanted.slice(half), settings.idleClientsPerProcess, 16)));
    const connectMs = firstConnectMs + (wallNow() - secondStart);
    await sleep(3000);
    const rssConnected = rssBytes(server.pid);
    const secondCount = wanted.slice(half).reduce((sum, room) => sum + room.count, 0);
    const countersOf = async () =>
      sumCounters(
        await Promise.all(processes.map((client) => client.request({ type: 'counters' }, 'counters'))),
      );
    log(
      `${server.target} idle: connected in ${Math.round(connectMs)} ms; measuring CPU for ${idleWindowMs} ms`,
    );
    const before = await countersOf();
    const cpuBefore = cpuSecondsOf(server.pids);
    const t0 = wallNow();
    await sleep(idleWindowMs);
    const cpu = cpuSecondsOf(server.pids) - cpuBefore;
    const seconds = (wallNow() - t0) / 1000;
    const after = await countersOf();
    const coreShare = cpu / seconds;
    const notes: string[] = [];
    if (after.closed > 0) notes.push(`${after.closed} sockets closed by the server`);
    return {
      metrics: {
        connections: after.sockets,
        connectMs,
        rssEmptyMB: rssEmpty / 2 ** 20,
        rssConnectedMB: rssConnected / 2 ** 20,
        rssPerConnKB: (rssConnected - rssEmpty) / after.sockets / 1024,
        rssMarginalKB: (rssConnected - rssHalf) / secondCount / 1024,
        idleCpuPct: coreShare * 100,
        // All idle CPU is charged to heartbeats (an upper bound), scaled to a 30 s interval.
        heartbeatCpuPctAt30s: coreShare * 100 * (idleHeartbeatMs / 30_000),
        heartbeatsPerConn: (after.heartbeats - before.heartbeats) / after.sockets,
        pingsPerConn: (after.pings - before.pings) / after.sockets,
      },
      notes,
    };
  } finally {
    await Promise.all(processes.map((client) => client.close()));
  }
}

// ---------- end to end: Buildcast driven through its API ----------

/** Tells every client process which session each slot of deferred sockets watches. */
async function subscribeSlots(processes: ClientProcess[], slots: Record<string, Room>): Promise<void> {
  await Promise.all(
    processes.map((client) => client.request({ type: 'subscribe', rooms: slots }, 'subscribing')),
  );
}

/**
 * CPU of the stack's processes and of the Postgres backends serving the bench database
 * (a backend opened meanwhile counts whole; one closed meanwhile is lost: a lower bound).
 */
async function cpuMeter(stack: BuildcastStack, probe: BuildsProbe) {
  const backends = await probe.backendPids();
  const nodeBefore = cpuSecondsOf(stack.pids);
  const pgBefore = new Map(backends.map((pid) => [pid, cpuSecondsOf([pid])]));
  return {
    stop: async () => {
      const now = new Set([...backends, ...(await probe.backendPids())]);
      let postgres = 0;
      for (const pid of now) postgres += Math.max(0, cpuSecondsOf([pid]) - (pgBefore.get(pid) ?? 0));
      return { serverCpuS: cpuSecondsOf(stack.pids) - nodeBefore, postgresCpuS: postgres };
    },
  };
}

/**
 * A, end to end: 1,000 sockets connected and authenticated; then POST one replay of
 * `burstEvents` events at full speed, each socket subscribes to it (since 0) as the answer
 * arrives, and the clock runs from the POST until every socket has the last seq.
 */
async function runBurstEndToEnd(
  stack: BuildcastStack,
  probe: BuildsProbe,
): Promise<Pick<Result, 'metrics' | 'notes'>> {
  const { burstClients: clients, burstEvents: events } = settings;
  const projectId = await createProject(stack.apiUrl, 'fanout bench burst');
  const slot: Room = { projectId, sessionId: 'burst' };
  // session.started and session.finished are the replay's own: the transcript holds the rest.
  const transcript = transcriptOf(take(realisticEvents('burst'), events - 2));
  const gateway = stack.pid;
  const rssEmpty = rssBytes(gateway);
  const processes = await connectClients(
    stack,
    [{ ...slot, count: clients }],
    settings.clientsPerProcess,
    events,
    true,
  );
  try {
    await sleep(1000);
    const rssConnected = rssBytes(gateway);
    log(`buildcast-e2e burst: ${clients} sockets connected; POST a replay of ${events} events`);
    const cpu = await cpuMeter(stack, probe);
    const rssSampler = sampleRss(gateway);
    const postAt = wallNow();
    const room = await startReplay(stack.apiUrl, projectId, transcript, 0);
    await subscribeSlots(processes, { [roomKey(slot)]: room });
    const ended = await probe.waitForEnd([room.sessionId], settings.convergeTimeoutMs);
    const commitTimes = await probe.commitTimes(room.sessionId);
    const lastSeq = commitTimes.length - 1;
    log(
      `buildcast-e2e burst: ${lastSeq} events committed in ${Math.round(commitTimes[lastSeq] - postAt)} ms after the POST`,
    );
    const report = await finishClients(processes, [room], new Map([[roomKey(room), commitTimes]]));
    const result = deliveryMetrics(report, commitTimes[1], commitTimes[lastSeq], lastSeq * clients);
    if (!ended) result.notes.push(`the build had not ended after ${settings.convergeTimeoutMs} ms`);
    const converged = report.currentSockets === report.sockets;
    result.metrics.convergeAfterFirstMs = converged ? report.lastCurrentAt - postAt : NaN;
    result.metrics.commitsPerSecond = (lastSeq - 1) / ((commitTimes[lastSeq] - commitTimes[1]) / 1000);
    Object.assign(result.metrics, await cpu.stop());
    result.metrics.rssPeakMB = rssSampler.stop() / 2 ** 20;
    result.metrics.rssPerConnKB = (rssConnected - rssEmpty) / clients / 1024;
    return result;
  } finally {
    await Promise.all(processes.map((client) => client.close()));
  }
}

/**
 * B, end to end: 100 replays POSTed one after the other, each paced at 1/sparseRate s per
 * event; each build's 10 sockets subscribe as its POST answers. Latency from each event's
 * `at` to its receipt, over the events created after the socket was subscribed.
 */
async function runSparseEndToEnd(
  stack: BuildcastStack,
  probe: BuildsProbe,
): Promise<Pick<Result, 'metrics' | 'notes'>> {
  const { sparseSessions, sparseClients, sparseRate, sparseSeconds } = settings;
  const perRoom = Math.round(sparseRate * sparseSeconds);
  const projectId = await createProject(stack.apiUrl, 'fanout bench sparse');
  const slots: Room[] = Array.from({ length: sparseSessions }, (_, i) => ({
    projectId,
    sessionId: `slot${i}`,
  }));
  const transcripts = slots.map((_, i) => transcriptOf(take(realisticEvents(`sparse${i}`), perRoom - 2)));
  const gateway = stack.pid;
  const rssEmpty = rssBytes(gateway);
  const processes = await connectClients(
    stack,
    slots.map((slot) => ({ ...slot, count: sparseClients })),
    settings.clientsPerProcess,
    perRoom,
    true,
  );
  try {
    await sleep(1000);
    const rssConnected = rssBytes(gateway);
    log(
      `buildcast-e2e sparse: ${slots.length * sparseClients} sockets connected; POST ${slots.length} paced replays`,
    );
    const cpu = await cpuMeter(stack, probe);
    const rssSampler = sampleRss(gateway);
    const rooms: Room[] = [];
    const subscribing: Array<Promise<void>> = [];
    for (const [i, slot] of slots.entries()) {
      const room = await startReplay(stack.apiUrl, projectId, transcripts[i], Math.round(1000 / sparseRate));
      rooms.push(room);
      subscribing.push(subscribeSlots(processes, { [roomKey(slot)]: room }));
    }
    await Promise.all(subscribing);
    const ended = await probe.waitForEnd(
      rooms.map((room) => room.sessionId),
      settings.convergeTimeoutMs + sparseSeconds * 1000,
    );
    log(`buildcast-e2e sparse: the builds ended; waiting for clients`);
    const commitTimes = new Map<string, number[]>();
    for (const room of rooms) commitTimes.set(roomKey(room), await probe.commitTimes(room.sessionId));
    const all = [...commitTimes.values()].flatMap((times) => times.slice(1));
    const firstCommit = Math.min(...all);
    const lastCommit = Math.max(...all);
    const report = await finishClients(processes, rooms, commitTimes, true);
    const result = deliveryMetrics(report, firstCommit, lastCommit, all.length * sparseClients);
    if (!ended) result.notes.push('some builds had not ended in time');
    Object.assign(result.metrics, await cpu.stop());
    result.metrics.rssPeakMB = rssSampler.stop() / 2 ** 20;
    result.metrics.rssPerConnKB = (rssConnected - rssEmpty) / (slots.length * sparseClients) / 1024;
    result.metrics.offeredPerSecond = all.length / ((lastCommit - firstCommit) / 1000);
    return result;
  } finally {
    await Promise.all(processes.map((client) => client.close()));
  }
}

const RUNNERS = { burst: runBurst, sparse: runSparse, idle: runIdle };
const END_TO_END: Partial<Record<Workload, typeof runBurstEndToEnd>> = {
  burst: runBurstEndToEnd,
  sparse: runSparseEndToEnd,
};

// ---------- report ----------

const ROWS: Record<Workload, Array<[key: string, label: string, digits: number]>> = {
  burst: [
    ['convergeAfterLastMs', 'converge after last commit, ms', 0],
    ['convergeAfterFirstMs', 'converge after first commit (buildcast-e2e: after the POST), ms', 0],
    ['publishMs', 'first → last commit, ms', 0],
    ['commitsPerSecond', 'events committed per second (buildcast-e2e)', 0],
    ['frames', 'event frames received (all clients)', 0],
    ['framesPerDelivery', 'frames / (events × clients)', 4],
    ['p50', 'commit → client p50, ms', 1],
    ['p99', 'commit → client p99, ms', 1],
    ['serverCpuS', 'server CPU, s (buildcast-e2e: API + runner-worker + gateway)', 1],
    ['postgresCpuS', 'Postgres CPU (the bench database backends; buildcast-e2e), s', 1],
    ['rssPerConnKB', 'server RSS per connection (connected, before publishing), KB', 1],
    ['rssPeakMB', 'server peak RSS while publishing, MB', 0],
  ],
  sparse: [
    ['p50', 'commit (buildcast-e2e: event `at`) → client p50, ms', 2],
    ['p99', 'commit (buildcast-e2e: event `at`) → client p99, ms', 2],
    ['max', 'commit (buildcast-e2e: event `at`) → client max, ms', 1],
    ['convergeAfterLastMs', 'converge after last commit, ms', 0],
    ['offeredPerSecond', 'events/s committed (all sessions)', 0],
    ['frames', 'event frames received (all clients)', 0],
    ['framesPerDelivery', 'frames / (events × clients)', 4],
    ['serverCpuS', 'server CPU, s (buildcast-e2e: API + runner-worker + gateway)', 1],
    ['postgresCpuS', 'Postgres CPU (the bench database backends; buildcast-e2e), s', 1],
    ['rssPerConnKB', 'server RSS per connection (connected, before publishing), KB', 1],
    ['rssPeakMB', 'server peak RSS while publishing, MB', 0],
  ],
  idle: [
    ['connections', 'connections', 0],
    ['rssEmptyMB', 'server RSS empty, MB', 1],
    ['rssConnectedMB', 'server RSS connected, MB', 1],
    ['rssPerConnKB', 'RSS per connection (above the empty process), KB', 2],
    ['rssMarginalKB', 'RSS per connection, marginal (second half of the connections), KB', 2],
    ['idleCpuPct', `idle CPU, % of a core (heartbeat every ${settings.idleHeartbeatMs} ms)`, 2],
    ['heartbeatCpuPctAt30s', 'same scaled to a 30 s heartbeat, % of a core', 3],
    ['heartbeatsPerConn', 'app heartbeats per connection in window', 1],
    ['pingsPerConn', 'ws/engine.io pings per connection in window', 1],
    ['connectMs', 'time to connect all, ms', 0],
  ],
};

const TITLES: Record<Workload, string> = {
  burst: `Burst: 1 session × ${settings.burstClients} clients, ${settings.burstEvents} events (buildcast: ${settings.burstAppendBatch} event(s) per append)`,
  sparse: `Sparse: ${settings.sparseSessions} sessions × ${settings.sparseClients} clients, ${settings.sparseRate} events/s per session for ${settings.sparseSeconds} s (one event per append)`,
  idle: `Idle: ${settings.idleConnections} connections over ${settings.idleSessions} sessions, heartbeat every ${settings.idleHeartbeatMs} ms, CPU over ${settings.idleWindowMs / 1000} s`,
};

const fmt = (value: number | undefined, digits: number) =>
  value === undefined || Number.isNaN(value)
    ? '—'
    : value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function report(results: Result[]): string {
  const lines: string[] = [];
  for (const workload of workloads) {
    const row = (target: TargetName) => results.find((r) => r.workload === workload && r.target === target);
    const peers = (['socketio', 'relay', 'relay-pg'] as const).filter((t) => targets.includes(t));
    const ratios = BUILDCAST_TARGETS.filter((t) => targets.includes(t)).flatMap((ours) =>
      peers.map((peer) => [ours, peer] as const),
    );
    lines.push(`\n### ${TITLES[workload]}\n`);
    lines.push(
      `| metric | ${targets.join(' | ')} |${ratios.map(([ours, peer]) => ` ${ours} / ${peer} |`).join('')}`,
    );
    lines.push(`|---|${targets.map(() => '---:|').join('')}${ratios.map(() => '---:|').join('')}`);
    for (const [key, label, digits] of ROWS[workload]) {
      const cells = targets.map((t) => fmt(row(t)?.metrics[key], digits));
      const ratioCells = ratios.map(([ours, t]) => {
        const a = row(ours)?.metrics[key];
        const b = row(t)?.metrics[key];
        return a === undefined || b === undefined || !b ? '—' : `${fmt(a / b, 3)}×`;
      });
      lines.push(`| ${label} | ${cells.join(' | ')} |${ratioCells.map((c) => ` ${c} |`).join('')}`);
    }
    for (const target of targets) {
      const result = row(target);
      if (result?.error) lines.push(`\n- ${target}: **failed**: ${result.error.split('\n')[0]}`);
      for (const note of result?.notes ?? []) lines.push(`- ${target}: ${note}`);
    }
  }
  const envs = Object.entries(process.env)
    .filter(([key]) => key.startsWith('BENCH_FANOUT_'))
    .map(([key, value]) => `${key}=${value} `)
    .join('');
  const args = process.argv.slice(2).join(' ');
  lines.push(`\nReproduce: \`${envs}npm run bench:fanout${args ? ` -- ${args}` : ''}\``);
  return lines.join('\n');
}

// ---------- main ----------

let interrupted = false;

const roundNumbers = (_key: string, value: unknown) =>
  typeof value === 'number' ? Math.round(value * 100) / 100 : value;

async function main(): Promise<void> {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let dataSource: DataSource | undefined;
  const publishers = new Map<TargetName, Publisher>();
  let persisted: Publisher | undefined;
  let probe: BuildsProbe | undefined;
  const cleanup = async () => {
    killAllChildren();
    await probe?.close().catch(() => undefined);
    // The persisted publisher too when only buildcast-e2e ran (it is then in no target's slot).
    const open = new Set([...publishers.values(), ...(persisted ? [persisted] : [])]);
    await Promise.allSettled([...open].map((publisher) => publisher.close()));
    if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
    if (database) await database.drop().catch((error: unknown) => console.error('drop failed:', error));
  };
  // Ctrl-C: no child (thousands of sockets) and no bench database outlives the run.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      interrupted = true;
      void cleanup().finally(() => process.exit(130));
    });
  }
  process.once('exit', killAllChildren);

  const results: Result[] = [];
  try {
    if (targets.some((target) => NEEDS_DATABASE.includes(target))) {
      database = await createBenchDatabase();
      dataSource = await prepareDatabase(database.url, { poolSize: settings.poolSize });
      persisted = new BuildcastPublisher(dataSource, database.url, settings.redisUrl);
    }
    // Only the publishers a target uses are created: each holds a Redis connection that
    // cleanup closes (one left open keeps this process alive after the report).
    for (const target of targets) {
      if (target === 'buildcast-e2e') continue; // driven through its API
      if (PERSISTED.includes(target)) publishers.set(target, persisted!);
      else if (target === 'buildcast-redis') {
        publishers.set(target, new UnpersistedPublisher(persisted!, new RedisPublisher(settings.redisUrl)));
      } else publishers.set(target, new RedisPublisher(settings.redisUrl));
    }
    for (const workload of workloads) {
      for (const target of targets) {
        const result: Result = { target, workload, metrics: {}, notes: [] };
        results.push(result);
        let server: ServerUnderTest | undefined;
        try {
          if (target === 'buildcast-e2e') {
            const run = END_TO_END[workload];
            if (!run) {
              result.notes.push(`${workload} is not run end to end (the gateway alone: see buildcast)`);
              continue;
            }
            const stack = await startBuildcastStack({
              redisUrl: settings.redisUrl,
              databaseUrl: database!.url,
              transport: settings.transport,
              workerConcurrency: settings.workerConcurrency,
              coalesceMs: settings.coalesceMs,
            });
            server = stack;
            probe ??= await BuildsProbe.connect(database!.url);
            Object.assign(result, await run(stack, probe));
            log(`${target} ${workload}: ${JSON.stringify(result.metrics, roundNumbers)}`);
            continue;
          }
          server = await startServer(target, {
            redisUrl: settings.redisUrl,
            databaseUrl: database?.url,
            heartbeatMs: workload === 'idle' ? settings.idleHeartbeatMs : undefined,
            coalesceMs: settings.coalesceMs,
          });
          Object.assign(result, await RUNNERS[workload](server, publishers.get(target)!));
          log(`${target} ${workload}: ${JSON.stringify(result.metrics, roundNumbers)}`);
        } catch (error) {
          result.error = error instanceof Error ? error.message : String(error);
          log(`${target} ${workload} failed: ${result.error}`);
        } finally {
          await server?.stop();
        }
      }
    }
  } finally {
    await cleanup();
  }
  if (!interrupted) console.log(report(results));
}

main().catch((error: unknown) => {
  console.error(error);
  killAllChildren();
  process.exit(1);
});
