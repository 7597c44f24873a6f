import { describeFuzzRun } from './support/fuzz-suite.js';

/**
 * The fuzz run of `npm run fuzz` (fuzz.fuzz.ts), 2,000 inputs of it inside `npm test`. See
 * support/fuzz-suite.ts for what fails it, and docs/architecture.md ("Fuzzing").
 */
// About a minute on two busy cores: more than jest's default 60 s for a test.
describeFuzzRun('Fuzz sample', { inputs: 2_000, concurrency: 24, timeoutMs: 600_000 });
