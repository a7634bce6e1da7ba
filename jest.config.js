/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/projections', '<rootDir>/test'],
  testRegex: '.*\\.(spec|test)\\.ts$',
  // Transpile only: the build (tsc) type-checks before jest runs.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@access-ledger/projections$': '<rootDir>/projections',
    '^@access-ledger/core/testing$': '<rootDir>/libs/core/src/testing/decider-specification',
    '^@access-ledger/(.*)$': '<rootDir>/libs/$1/src',
  },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/global-setup.js',
  // A response an API spec receives that docs/openapi.json does not describe fails the test (test/support/openapi-contract.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/openapi-setup.ts'],
};
