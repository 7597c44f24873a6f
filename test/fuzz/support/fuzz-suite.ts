import { chooseSeed } from '../../support/random.js';
import { startFuzzStack, type FuzzStack } from './fuzz-stack.js';
import { fuzzSummary, runFuzz, type FuzzReport } from './run-fuzz.js';

/**
 * One jest suite that runs the fuzzer against a fresh stack and fails on anything but clear
 * answers: a 2xx, a 4xx in Nest's error shape, a WebSocket reply or contract close code; no
 * 5xx, no crash of the API and runner-worker (this process) or the gateway (a child), no
 * ERROR in the gateway's log, no build ended by a runner error.
 * FUZZ_SEED replays a run, FUZZ_CASE (`chunk.index`, printed with every finding) one case.
 */
export function describeFuzzRun(
  title: string,
  options: { inputs: number; concurrency: number; timeoutMs?: number },
) {
  const seed = chooseSeed(process.env.FUZZ_SEED, 'FUZZ_SEED');
  const only = process.env.FUZZ_CASE || undefined;

  describe(`${title} (FUZZ_SEED=${seed})`, () => {
    let fuzz: FuzzStack;
    // A run that outlived its test (a timeout) is stopped before the stack closes under it.
    const stop = new AbortController();
    let run: Promise<FuzzReport> | undefined;

    beforeAll(async () => {
      fuzz = await startFuzzStack();
    });
    afterAll(async () => {
      stop.abort();
      await run?.catch(() => undefined);
      await fuzz?.close();
    });

    it(
      `answers ${options.inputs} generated inputs with 2xx, 4xx or contract close codes only, and nothing crashes`,
      async () => {
        run = runFuzz(fuzz, {
          seed,
          inputs: options.inputs,
          concurrency: options.concurrency,
          only,
          signal: stop.signal,
        });
        const report = await run;
        // Through console, so jest prints it with this file's result, before its own summary.
        console.log(`\n${fuzzSummary(report, title)}\n`);
        expect(report.tally.findings).toEqual([]);
        expect({
          fiveHundreds: report.tally.fiveHundreds,
          problems: report.tally.problems,
          crashes: report.crashes,
          gatewayExit: report.gatewayExit,
          gatewayErrors: report.gatewayErrors,
          runnerErrors: report.runnerErrors,
        }).toEqual({
          fiveHundreds: 0,
          problems: 0,
          crashes: [],
          gatewayExit: null,
          gatewayErrors: [],
          runnerErrors: [],
        });
        if (!only) expect(report.tally.inputs).toBeGreaterThanOrEqual(options.inputs);
        // The same gateway process still serves after all of it.
        expect((await fetch(`${fuzz.gateway.httpUrl}/health`)).status).toBe(200);
      },
      options.timeoutMs,
    );
  });
}
