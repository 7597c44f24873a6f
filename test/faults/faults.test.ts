import { runFault, type RunResult, type RunSpec } from './support/fault-run.js';
import { startFaultStack, type FaultStack } from './support/fault-stack.js';
import { chooseSeed, seededRandom } from './support/random.js';
import { killGatewayAndRunner, postgresOutage, redisOutage } from './support/scenarios.js';
import { failureReport, summaryTable } from './support/summary.js';

/**
 * The short fault suite inside `npm test`: a few runs of the long one (`npm run faults`,
 * test/faults/faults.faults.ts) on one stack of its own Postgres, Redis and app processes.
 */
const seed = chooseSeed(process.env.FAULT_SEED);
const MINUTE = 60_000;

describe(`faults, short (FAULT_SEED=${seed})`, () => {
  let stack: FaultStack;
  const results: RunResult[] = [];
  const run = async (spec: RunSpec, offset: number, index = 1) => {
    const result = await runFault(stack, spec, seededRandom(seed + 1000 * offset + index), index);
    results.push(result);
    return failureReport([result]);
  };

  beforeAll(async () => {
    stack = await startFaultStack();
  }, 2 * MINUTE);
  afterAll(async () => {
    process.stdout.write(`\n${summaryTable(results, seed)}\n\n`);
    await stack?.close();
  });

  it(
    'SIGKILL the gateway, then the runner, at a random point',
    async () => {
      expect(await run(killGatewayAndRunner({ targets: ['gateway'], maxKills: 1 }), 1, 1)).toEqual([]);
      expect(await run(killGatewayAndRunner({ targets: ['runner'], maxKills: 1 }), 1, 2)).toEqual([]);
    },
    5 * MINUTE,
  );

  it(
    'Redis down for 10 s mid-build: commits go on, every build ends',
    async () => {
      expect(await run(redisOutage({ builds: 2 }), 2)).toEqual([]);
    },
    5 * MINUTE,
  );

  it(
    'Postgres down for 12 s mid-build: every build ends',
    async () => {
      expect(await run(postgresOutage({ builds: 2, eventIntervalMs: 300 }), 3)).toEqual([]);
    },
    5 * MINUTE,
  );
});
