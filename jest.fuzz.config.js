// `npm run fuzz`: the full fuzz run (test/fuzz/*.fuzz.ts), kept out of `npm test`, which
// runs a 2,000-input sample of it (test/fuzz/fuzz-sample.test.ts) in the integration project.
import { common } from './jest.config.js';

export default {
  projects: [{ ...common, displayName: 'fuzz', testMatch: ['<rootDir>/test/fuzz/**/*.fuzz.ts'] }],
};
