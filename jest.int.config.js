// Integration tests talk to the real Kafka, PostgreSQL and Redis of the local stack (scripts/stack.sh up).
module.exports = {
  ...require('./jest.preset'),
  displayName: 'integration',
  testMatch: ['**/*.int-spec.ts'],
  maxWorkers: 1,
  forceExit: true,
  testTimeout: 60_000,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
};
