// `npm run faults`: the long fault suite (test/faults/*.faults.ts), kept out of `npm test`,
// which runs its short subset (test/faults/faults.test.ts) in the integration project.
import { common } from './jest.config.js';

export default {
  projects: [{ ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.faults.ts'] }],
};
