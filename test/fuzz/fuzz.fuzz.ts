import { describeFuzzRun } from './support/fuzz-suite.js';

/**
 * `npm run fuzz`: FUZZ_INPUTS (default 100,000) generated inputs against the real API and
 * gateway, FUZZ_CONCURRENCY (default 24) cases in flight. See support/fuzz-suite.ts for what
 * fails it; `npm test` runs a 2,000-input sample (fuzz-sample.test.ts).
 */
describeFuzzRun('Fuzz run', {
  inputs: Number(process.env.FUZZ_INPUTS ?? '100000'),
  concurrency: Number(process.env.FUZZ_CONCURRENCY ?? '24'),
  timeoutMs: 3_600_000,
});
