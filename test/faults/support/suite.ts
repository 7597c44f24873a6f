import { runFault, type RunResult, type RunSpec } from './fault-run.js';
import { startFaultStack } from './fault-stack.js';
import { seededRandom } from './random.js';

/**
 * Runs `spec` `runs` times on one fresh stack (its own Postgres, Redis and app processes),
 * adding each result to `results`. Run `i` of scenario `offset` uses seed
 * `seed + 1000 · offset + i`, so FAULT_SEED replays the same choices.
 */
export async function runScenario(
  spec: RunSpec,
  options: { runs?: number; seed: number; offset: number; workerConcurrency?: number },
  results: RunResult[],
): Promise<RunResult[]> {
  const stack = await startFaultStack({ workerConcurrency: options.workerConcurrency });
  const mine: RunResult[] = [];
  try {
    for (let i = 0; i < (options.runs ?? 1); i++) {
      const result = await runFault(
        stack,
        spec,
        seededRandom(options.seed + 1000 * options.offset + i),
        i + 1,
      );
      mine.push(result);
      results.push(result);
    }
  } catch (error) {
    throw new Error(
      `${spec.scenario}: ${(error as Error).message}\nlast output of the apps:\n${stack.output()}`,
      {
        cause: error,
      },
    );
  } finally {
    await stack.close();
  }
  return mine;
}
