// End-to-end tests boot the built services as child processes and go through HTTP and Kafka.
module.exports = {
  ...require('./jest.preset'),
  displayName: 'e2e',
  testMatch: ['**/*.e2e-spec.ts'],
  // The scale-out run (3 projectors, 2 workers, 2 notifiers under 2,000 events/s with SIGKILLs) is its
  // own stage: `npm run test:scale-out` (docs/scaling.md).
  testPathIgnorePatterns: process.env.LEDGER_SCALE_OUT ? [] : ['/node_modules/', '<rootDir>/test/scale-out/many-instances'],
  maxWorkers: 1,
  forceExit: true,
  testTimeout: 180_000,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
};
