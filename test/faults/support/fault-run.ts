import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { ClientOptions } from '#client';
import {
  isFinishedStatus,
  type BuildEvent,
  type EventsPage,
  type SessionStatus,
  type Snapshot,
  type StartBuildResponse,
} from '#contracts';
import type { FaultStack } from './fault-stack.js';
import type { Random } from './random.js';
import { TEST_ADMIN_KEY } from '../../support/credentials.js';
import { getJsonEventually, waitFor } from './wait.js';
import { RawWatcher, SdkWatcher, snapshotUrl, type BuildRef, type Watcher } from './watchers.js';

export interface WatcherPlan {
  /** Per build, from the start: SDK watches (through the API's /ws) and raw `ws` clients (since 0). */
  sdk: number;
  raw: number;
  /** Per build, joining mid-build from a snapshot. */
  lateSdk: number;
  lateRaw: number;
}

export interface RunSpec {
  scenario: string;
  builds: number;
  /** The demo's average pause between its 69 steps: a build lasts about 69 × this. */
  eventIntervalMs: number;
  watchers: WatcherPlan;
  /** The fault, once builds and early watchers are started; it calls `run.cleared()` when it is over. */
  fault(run: FaultRun): Promise<void>;
}

export interface RunResult {
  scenario: string;
  seed: number;
  run: number;
  builds: number;
  buildsEnded: number;
  /** How the builds ended, e.g. `{ completed: 2, interrupted: 1 }`. */
  endings: Record<string, number>;
  watchers: number;
  events: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** From the end of the fault to the last build's end; null if one never ended. */
  endMs: number | null;
  notes: string[];
  failures: string[];
}

/**
 * The SDK as the web app configures it (3 failures before polling, subscription tokens minted
 * for each watch), with a short backoff cap. The admin key stands in for the web app's cookie.
 */
const sdkOptions = (stack: FaultStack): ClientOptions => ({
  baseUrl: stack.baseUrl,
  getToken: ({ projectId, sessionId }) =>
    post<{ token: string; expiresAt: string }>(`${stack.baseUrl}/api/projects/${projectId}/tokens`, {
      sessionId,
    }),
  WebSocket: WebSocket,
  minBackoffMs: 100,
  maxBackoffMs: 2_000,
  failuresBeforePolling: 3,
  pollWaitMs: 2_000,
});

/** How long watchers get, once the builds ended, to reach the last seq. */
const CONVERGE_MS = 60_000;

/** One run of a scenario: builds, watchers, the fault, then every check. */
export class FaultRun {
  readonly builds: BuildRef[] = [];
  readonly watchers: Watcher[] = [];
  readonly notes: string[] = [];
  readonly failures: string[] = [];
  clearedAt: number | undefined;
  private lateJoined = false;
  private readonly startedAt = Date.now();

  constructor(
    readonly stack: FaultStack,
    readonly spec: RunSpec,
    readonly random: Random,
    readonly index: number,
  ) {}

  log(line: string): void {
    const elapsed = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    process.stdout.write(`[faults] ${this.spec.scenario} #${this.index} +${elapsed}s ${line}\n`);
  }

  /** The fault is over (services back): the time to end counts from here. */
  cleared(): void {
    this.clearedAt ??= Date.now();
  }

  /** Sleeps a random time in [minMs, maxMs]. */
  async pause(minMs: number, maxMs: number): Promise<void> {
    await sleep(this.random.int(minMs, maxMs));
  }

  /** Each build's status and last seq, straight from Postgres. */
  async progress(): Promise<{ id: string; status: SessionStatus; last_seq: number }[]> {
    return this.stack.query('SELECT id, status, last_seq FROM build_sessions WHERE id = ANY($1)', [
      this.builds.map((build) => build.sessionId),
    ]);
  }

  /** Events committed for this run's builds (the Redis outage checks that it grows). */
  async committedEvents(): Promise<number> {
    const rows = await this.stack.query<{ count: string }>(
      'SELECT count(*) FROM build_events WHERE session_id = ANY($1)',
      [this.builds.map((build) => build.sessionId)],
    );
    return Number(rows[0].count);
  }

  /** Waits until every build has reached `seq` (or ended); throws after `timeoutMs`. */
  async waitForSeq(seq: number, timeoutMs = 60_000): Promise<void> {
    const reached = await waitFor(async () => {
      const rows = await this.progress();
      return rows.every((row) => row.last_seq >= seq || isFinishedStatus(row.status)) ? true : undefined;
    }, timeoutMs);
    if (!reached) throw new Error(`the builds did not reach seq ${seq} in ${timeoutMs} ms`);
  }

  /** The late watchers, once (the scenario picks the moment; otherwise after the fault). */
  async joinLate(): Promise<void> {
    if (this.lateJoined) return;
    this.lateJoined = true;
    await this.addWatchers(this.spec.watchers.lateSdk, this.spec.watchers.lateRaw, true);
  }

  async startBuilds(): Promise<void> {
    const project = await post<{ id: string }>(`${this.stack.apiUrl}/projects`, {
      name: `${this.spec.scenario} ${this.index}`,
    });
    for (let i = 0; i < this.spec.builds; i++) {
      const started = await post<StartBuildResponse>(`${this.stack.apiUrl}/projects/${project.id}/builds`, {
        agent: 'demo',
        eventIntervalMs: this.spec.eventIntervalMs,
      });
      this.builds.push({ projectId: project.id, sessionId: started.sessionId });
    }
  }

  async addWatchers(sdk: number, raw: number, late: boolean): Promise<void> {
    const urls = { apiUrl: this.stack.apiUrl, wsUrl: this.stack.gatewayWsUrl };
    const suffix = late ? ' (late)' : '';
    for (const [b, build] of this.builds.entries()) {
      for (let i = 0; i < sdk; i++) {
        this.watchers.push(new SdkWatcher(`build ${b} sdk ${i}${suffix}`, build, sdkOptions(this.stack)));
      }
      for (let i = 0; i < raw; i++) {
        this.watchers.push(
          await RawWatcher.join(`build ${b} raw ${i}${suffix}`, build, urls, this.random, late),
        );
      }
    }
  }

  /** Waits for every build to end, then for every watcher to converge, and checks them all. */
  async finish(): Promise<RunResult> {
    const endings: Record<string, number> = {};
    let endMs: number | null = null;
    let lastEnd = 0;
    const deadlineMs = 69 * this.spec.eventIntervalMs * this.builds.length + 10 * this.stack.interruptAfterMs;
    const ended = await waitFor(
      async () => {
        const rows = await this.progress();
        if (rows.some((row) => !isFinishedStatus(row.status))) return undefined;
        lastEnd = Date.now();
        return rows;
      },
      deadlineMs,
      250,
    );
    if (ended) {
      endMs = lastEnd - (this.clearedAt ?? lastEnd);
      for (const row of ended) endings[row.status] = (endings[row.status] ?? 0) + 1;
    } else {
      const rows = await this.progress().catch(() => []);
      for (const row of rows) {
        endings[row.status] = (endings[row.status] ?? 0) + 1;
        if (!isFinishedStatus(row.status)) {
          this.failures.push(
            `build ${row.id} still ${row.status} at seq ${row.last_seq}, ${Math.round(deadlineMs / 1000)} s after the fault ended`,
          );
        }
      }
    }
    const counts = { events: 0, lost: 0, duplicated: 0, reordered: 0 };
    for (const build of this.builds) {
      const snapshot = await getJsonEventually<Snapshot>(snapshotUrl(this.stack.apiUrl, build));
      const log = await this.eventLog(build);
      this.checkLog(build, snapshot, log);
      const types = new Map(log.map((event) => [event.seq, event.type]));
      const watchers = this.watchers.filter((watcher) => watcher.build === build);
      await waitFor(
        () => (watchers.every((watcher) => watcher.seq >= snapshot.seq) ? true : undefined),
        CONVERGE_MS,
      );
      for (const watcher of watchers) {
        const tally = watcher.ledger.counts(types);
        counts.events += tally.events;
        counts.lost += tally.lost;
        counts.duplicated += tally.duplicated;
        counts.reordered += tally.reordered;
        const where = `${watcher.label} of ${build.sessionId}`;
        for (const problem of watcher.ledger.problems.slice(0, 5)) this.failures.push(`${where}: ${problem}`);
        const differences = watcher.differences(snapshot);
        if (differences.length > 0) {
          this.failures.push(`${where} does not equal the snapshot: ${differences.slice(0, 4).join('; ')}`);
        }
      }
    }
    for (const watcher of this.watchers) watcher.close();
    return {
      scenario: this.spec.scenario,
      seed: this.random.seed,
      run: this.index,
      builds: this.builds.length,
      buildsEnded: Object.entries(endings)
        .filter(([status]) => isFinishedStatus(status as SessionStatus))
        .reduce((sum, [, count]) => sum + count, 0),
      endings,
      watchers: this.watchers.length,
      ...counts,
      endMs,
      notes: this.notes,
      failures: this.failures,
    };
  }

  /** The build's whole log over REST (pages of 1,000). */
  private async eventLog(build: BuildRef): Promise<BuildEvent[]> {
    const events: BuildEvent[] = [];
    for (;;) {
      const after = events.at(-1)?.seq ?? 0;
      const page = await getJsonEventually<EventsPage>(
        `${snapshotUrl(this.stack.apiUrl, build)}/events?after=${after}&limit=1000`,
      );
      events.push(...page.events);
      if (page.events.length === 0 || page.seq <= after) return events;
    }
  }

  /** Gap-free from 1, one `session.finished` and it is last, and the snapshot is of that seq. */
  private checkLog(build: BuildRef, snapshot: Snapshot, log: BuildEvent[]): void {
    const where = `build ${build.sessionId}`;
    const firstGap = log.findIndex((event, index) => event.seq !== index + 1);
    if (firstGap !== -1)
      this.failures.push(`${where}: its log has seq ${log[firstGap].seq} at position ${firstGap + 1}`);
    const finishes = log.filter((event) => event.type === 'session.finished').length;
    if (finishes !== 1) this.failures.push(`${where}: ${finishes} session.finished events`);
    if (log.length > 0 && log.at(-1)!.type !== 'session.finished') {
      this.failures.push(`${where}: the last event is ${log.at(-1)!.type}, not session.finished`);
    }
    if (snapshot.seq !== log.length)
      this.failures.push(`${where}: snapshot at seq ${snapshot.seq}, log of ${log.length}`);
    if (!isFinishedStatus(snapshot.session.status)) {
      this.failures.push(`${where}: the snapshot says ${snapshot.session.status}`);
    }
  }
}

/** One run: builds and early watchers, the fault, late watchers, then the checks. */
export async function runFault(
  stack: FaultStack,
  spec: RunSpec,
  random: Random,
  index: number,
): Promise<RunResult> {
  const run = new FaultRun(stack, spec, random, index);
  run.log(`seed ${random.seed}`);
  await run.startBuilds();
  await run.addWatchers(spec.watchers.sdk, spec.watchers.raw, false);
  try {
    await spec.fault(run);
  } catch (error) {
    run.failures.push(`the fault steps failed: ${(error as Error).message}`);
  }
  run.cleared();
  await run.joinLate();
  const result = await run.finish();
  run.log(
    `${result.failures.length === 0 ? 'passed' : `FAILED (${result.failures.length})`}: ${JSON.stringify(result.endings)}, ` +
      `${result.events} events to ${result.watchers} watchers, end ${result.endMs ?? '∞'} ms after the fault`,
  );
  return result;
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}
