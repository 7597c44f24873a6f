// ESM + ts-jest: NestJS 12 ships ES modules, so tests run as ESM (npm test sets
// NODE_OPTIONS=--experimental-vm-modules). Type errors are caught by `npm run typecheck`.
const moduleNameMapper = {
  '^#contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^#contracts/dto$': '<rootDir>/libs/contracts/src/dto/index.ts',
  '^#config$': '<rootDir>/libs/config/src/index.ts',
  '^#persistence$': '<rootDir>/libs/persistence/src/index.ts',
  '^#bus$': '<rootDir>/libs/bus/src/index.ts',
  '^#client$': '<rootDir>/libs/client/src/index.ts',
  '^#health$': '<rootDir>/libs/health/src/index.ts',
  '^#identity$': '<rootDir>/libs/identity/src/index.ts',
  '^#launch$': '<rootDir>/libs/launch/src/index.ts',
  '^#logging$': '<rootDir>/libs/logging/src/index.ts',
  '^#metrics$': '<rootDir>/libs/metrics/src/index.ts',
  '^#tracing$': '<rootDir>/libs/tracing/src/index.ts',
  '^#transcripts$': '<rootDir>/libs/transcripts/src/index.ts',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  // @nestjs/throttler is CommonJS requiring ESM-only Nest: see test/support/jest-nest-esm.mjs.
  '/node_modules/@nestjs/throttler/dist/.+\\.js$': '<rootDir>/test/support/jest-nest-esm.mjs',
};
export const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper,
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/throttler/)'],
  setupFiles: ['<rootDir>/test/support/jest-nest-esm.setup.ts'],
  testEnvironment: 'node',
};

export default {
  // Integration tests start real apps on two shared cores; jest ignores this per project.
  testTimeout: 60000,
  projects: [
    // Pure logic, specs beside the code (the fault suite's accounting is under test/).
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    },
    // Real Postgres and Redis, under test/ mirroring the apps and libs; each file creates
    // and drops its own database (test/support/database.ts).
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
    },
  ],
};
