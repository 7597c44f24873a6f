import { setTimeout as sleep } from 'node:timers/promises';
import type { AppName } from './app-process.js';
import type { RunSpec, WatcherPlan } from './fault-run.js';
import { waitFor } from './wait.js';
import type { SdkWatcher } from './watchers.js';

/**
 * The fault scenarios, built from a few steps. Every run also gets the common checks of
 * `FaultRun.finish` (every build ends; every watcher gap-free, duplicate-free, equal to the
 * snapshot); some scenarios add one of their own, recorded in `run.failures`.
 */

const WATCHERS: WatcherPlan = { sdk: 2, raw: 2, lateSdk: 1, lateRaw: 1 };

/** Postgres stopped (`pg_ctl stop -m immediate`) for `outageMs` mid-build, then started again. */
export function postgresOutage(
  options: { outageMs?: number; builds?: number; eventIntervalMs?: number } = {},
): RunSpec {
  const outageMs = options.outageMs ?? 12_000;
  return {
    scenario: `postgres down ${outageMs / 1000} s`,
    builds: options.builds ?? 3,
    eventIntervalMs: options.eventIntervalMs ?? 400,
    watchers: WATCHERS,
    async fault(run) {
      await run.waitForSeq(run.random.int(5, 15));
      run.log('stopping Postgres');
      await run.stack.postgres.stop();
      await sleep(outageMs);
      await run.stack.postgres.start();
      run.log('Postgres is back');
      run.cleared();
      await run.pause(0, 3_000);
      await run.joinLate();
    },
  };
}

/**
 * Redis killed for `outageMs` mid-build and started again empty. Redis only announces:
 * commits must go on meanwhile, so the builds' events in Postgres must grow between 2 s into
 * the outage and its end.
 */
export function redisOutage(
  options: { outageMs?: number; builds?: number; eventIntervalMs?: number } = {},
): RunSpec {
  const outageMs = options.outageMs ?? 10_000;
  return {
    scenario: `redis down ${outageMs / 1000} s`,
    builds: options.builds ?? 3,
    eventIntervalMs: options.eventIntervalMs ?? 300,
    watchers: WATCHERS,
    async fault(run) {
      await run.waitForSeq(run.random.int(3, 8));
      run.log('killing Redis');
      await run.stack.redis.stop();
      const killedAt = Date.now();
      await sleep(2_000);
      const early = await run.committedEvents();
      await sleep(Math.max(0, outageMs - (Date.now() - killedAt)));
      const late = await run.committedEvents();
      const running = (await run.progress()).filter((row) => row.status === 'running').length;
      await run.stack.redis.start();
      run.log(
        `Redis is back (empty); ${late - early} events committed in the last ${Math.round((outageMs - 2_000) / 1000)} s of the outage`,
      );
      run.notes.push(`commits during the outage: ${late - early}`);
      run.cleared();
      if (late === early && running > 0) {
        run.failures.push(
          `no event was committed from 2 s into the Redis outage to its end (${early} events, ${running} builds running): commits wait on Redis`,
        );
      }
      await run.pause(0, 2_000);
      await run.joinLate();
    },
  };
}

/**
 * Redis restarted (empty, as the compose Redis without persistence) while builds wait in the
 * queue behind a full worker: every build must still end (run, or end with a reason).
 * Needs a stack with WORKER_CONCURRENCY below `builds`.
 */
export function redisRestartWithQueuedBuilds(options: {
  builds?: number;
  workerConcurrency: number;
}): RunSpec {
  const builds = options.builds ?? 5;
  return {
    scenario: 'redis restarted, builds queued',
    builds,
    eventIntervalMs: 150,
    watchers: { sdk: 1, raw: 1, lateSdk: 0, lateRaw: 1 },
    async fault(run) {
      const queued = await waitFor(async () => {
        const rows = await run.progress();
        const running = rows.filter((row) => row.status === 'running').length;
        const waiting = rows.filter((row) => row.status === 'queued').length;
        return running === options.workerConcurrency && waiting === builds - running ? waiting : undefined;
      }, 60_000);
      if (queued === undefined)
        throw new Error(`the worker did not take ${options.workerConcurrency} builds`);
      run.log(`restarting Redis with ${queued} builds queued`);
      await run.stack.redis.stop();
      await run.stack.redis.start();
      run.notes.push(`queued at the restart: ${queued}`);
      run.cleared();
    },
  };
}

/**
 * SIGKILL the gateway or the runner (one of `targets`) at random points, 1 to `maxKills`
 * times a run, before, during or near the end of the builds, each restarted after a random
 * pause.
 */
export function killGatewayAndRunner(options: { targets?: AppName[]; maxKills?: number } = {}): RunSpec {
  const targets = options.targets ?? ['gateway', 'runner'];
  const eventIntervalMs = 100;
  return {
    scenario: `SIGKILL ${targets.join('/')}`,
    builds: 3,
    eventIntervalMs,
    watchers: WATCHERS,
    async fault(run) {
      const kills = run.random.int(1, options.maxKills ?? 3);
      const lateAfter = run.random.int(0, kills);
      const kinds: AppName[] = [];
      for (let i = 0; i < kills; i++) {
        if (i === lateAfter) await run.joinLate();
        await run.pause(0, (69 * eventIntervalMs) / kills);
        const app = run.random.pick(targets);
        const seq = Math.max(0, ...(await run.progress()).map((row) => row.last_seq));
        run.log(`SIGKILL ${app} (builds at up to seq ${seq})`);
        await run.stack.apps[app].crashAndRestart(run.random.int(0, 1_500));
        kinds.push(app);
      }
      for (const target of targets) {
        run.notes.push(`${target} SIGKILLs: ${kinds.filter((kind) => kind === target).length}`);
      }
      run.cleared();
    },
  };
}

/**
 * SIGSTOP the gateway for `freezeMs`, then SIGCONT. Its sockets stay open and silent: the
 * SDK must notice (leave `live`) before the gateway wakes, and REST carries the updates.
 */
export function freezeGateway(options: { freezeMs?: number } = {}): RunSpec {
  const freezeMs = options.freezeMs ?? 20_000;
  return {
    scenario: `SIGSTOP gateway ${freezeMs / 1000} s`,
    builds: 2,
    eventIntervalMs: 500,
    watchers: WATCHERS,
    async fault(run) {
      await run.waitForSeq(run.random.int(3, 8));
      const sdks = run.watchers.filter((watcher): watcher is SdkWatcher => watcher.kind === 'sdk');
      const live = await waitFor(
        () => (sdks.every((watch) => watch.status === 'live') ? true : undefined),
        30_000,
      );
      if (!live) throw new Error('the SDK watchers were not live before the freeze');
      run.log('SIGSTOP gateway');
      const frozenAt = Date.now();
      run.stack.apps.gateway.freeze();
      await sleep(freezeMs);
      const thawedAt = Date.now();
      run.stack.apps.gateway.thaw();
      run.log('SIGCONT gateway');
      run.cleared();
      const noticed: number[] = [];
      for (const watch of sdks) {
        const left = watch.statuses.find(
          (entry) => entry.at > frozenAt && entry.at <= thawedAt && entry.status !== 'live',
        );
        if (left) noticed.push(left.at - frozenAt);
        else
          run.failures.push(
            `${watch.label} of ${watch.build.sessionId} reported live through the ${freezeMs / 1000} s freeze`,
          );
      }
      run.notes.push(
        `SDK noticed the freeze: ${noticed.length}/${sdks.length}` +
          (noticed.length > 0 ? ` (after ${Math.min(...noticed)}–${Math.max(...noticed)} ms)` : ''),
      );
      await run.pause(0, 2_000);
      await run.joinLate();
    },
  };
}
