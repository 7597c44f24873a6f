import type { RunResult } from './support/fault-run.js';
import { chooseSeed } from './support/random.js';
import {
  freezeGateway,
  killGatewayAndRunner,
  postgresOutage,
  redisOutage,
  redisRestartWithQueuedBuilds,
} from './support/scenarios.js';
import { failureReport, summaryTable } from './support/summary.js';
import { runScenario } from './support/suite.js';

/**
 * The long fault suite (`npm run faults`; not part of `npm test`, which runs a short subset
 * in faults.test.ts). FAULT_SEED replays a run's random choices; FAULT_KILL_RUNS sets how
 * many SIGKILL runs (default 20).
 */
const seed = chooseSeed(process.env.FAULT_SEED);
const killRuns = Number(process.env.FAULT_KILL_RUNS ?? '20');
const MINUTE = 60_000;

describe(`fault suite (FAULT_SEED=${seed})`, () => {
  const results: RunResult[] = [];

  beforeAll(() => {
    process.stdout.write(`[faults] FAULT_SEED=${seed}, ${killRuns} SIGKILL runs\n`);
  });
  afterAll(() => {
    process.stdout.write(`\n${summaryTable(results, seed)}\n\n`);
  });

  it(
    `SIGKILL the gateway and the runner at random points, ${killRuns} runs`,
    async () => {
      const runs = await runScenario(killGatewayAndRunner(), { runs: killRuns, seed, offset: 1 }, results);
      expect(failureReport(runs)).toEqual([]);
    },
    killRuns * 2 * MINUTE,
  );

  it(
    'Redis down for 10 s mid-build: commits go on, every build ends',
    async () => {
      const runs = await runScenario(redisOutage(), { seed, offset: 2 }, results);
      expect(failureReport(runs)).toEqual([]);
    },
    6 * MINUTE,
  );

  it(
    'Postgres down for 12 s mid-build: every build ends',
    async () => {
      const runs = await runScenario(postgresOutage(), { seed, offset: 3 }, results);
      expect(failureReport(runs)).toEqual([]);
    },
    8 * MINUTE,
  );

  it(
    'the gateway frozen (SIGSTOP) for 20 s: the SDK notices, nothing is lost',
    async () => {
      const runs = await runScenario(freezeGateway(), { seed, offset: 4 }, results);
      expect(failureReport(runs)).toEqual([]);
    },
    6 * MINUTE,
  );

  it(
    'Redis restarted (empty) with builds queued: every build ends',
    async () => {
      const runs = await runScenario(
        redisRestartWithQueuedBuilds({ workerConcurrency: 2 }),
        { seed, offset: 5, workerConcurrency: 2 },
        results,
      );
      expect(failureReport(runs)).toEqual([]);
    },
    8 * MINUTE,
  );
});
