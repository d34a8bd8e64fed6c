// Integration tests talk to the real Kafka, PostgreSQL and Redis of the local stack (scripts/stack.sh up).
// LEDGER_INT_WORKERS suites at a time (default 2), each jest worker on topics and a database of its
// own (libs/testing/src/test-namespace.js).
const preset = require('./jest.preset');
const { workerCount } = require('./libs/testing/src/test-namespace');

module.exports = {
  ...preset,
  displayName: 'integration',
  testMatch: ['**/*.int-spec.ts'],
  maxWorkers: workerCount('LEDGER_INT_WORKERS', 2),
  setupFiles: [...preset.setupFiles, '<rootDir>/libs/testing/src/enter-test-namespace.js'],
  forceExit: true,
  testTimeout: 60_000,
  globalSetup: '<rootDir>/libs/testing/src/parallel-global-setup.js',
};
