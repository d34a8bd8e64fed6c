// End-to-end tests boot the built services as child processes and go through HTTP and Kafka.
//
// Suites run LEDGER_E2E_WORKERS at a time (default 2), each jest worker on topics and a database of
// its own (libs/testing/src/test-namespace.js), so the suites of one worker never see another's.
// The suites that stop or restart the shared broker, PostgreSQL or the whole stack run afterwards,
// one at a time: jest.e2e-serial.config.js. The longest suites start first (test/longest-first.sequencer.js).
const { SERIAL_E2E_SUITES } = require('./test/serial-suites');

const preset = require('./jest.preset');
const { workerCount } = require('./libs/testing/src/test-namespace');
const scaleOut = '<rootDir>/test/scale-out/many-instances';

module.exports = {
  ...preset,
  displayName: 'e2e',
  testMatch: ['**/*.e2e-spec.ts'],
  // The scale-out run (3 projectors, 2 workers, 2 notifiers under 2,000 events/s with SIGKILLs) is its
  // own stage: `npm run test:scale-out` (docs/scaling.md).
  testPathIgnorePatterns: process.env.LEDGER_SCALE_OUT ? ['/node_modules/'] : ['/node_modules/', scaleOut, ...SERIAL_E2E_SUITES],
  maxWorkers: process.env.LEDGER_SCALE_OUT ? 1 : workerCount('LEDGER_E2E_WORKERS', 2),
  setupFiles: [...preset.setupFiles, '<rootDir>/libs/testing/src/enter-test-namespace.js'],
  testSequencer: '<rootDir>/test/longest-first.sequencer.js',
  forceExit: true,
  testTimeout: 180_000,
  globalSetup: '<rootDir>/libs/testing/src/parallel-global-setup.js',
};
