// End-to-end tests boot the built services as child processes and go through HTTP and Kafka.
module.exports = {
  ...require('./jest.preset'),
  displayName: 'e2e',
  testMatch: ['**/*.e2e-spec.ts'],
  maxWorkers: 1,
  forceExit: true,
  testTimeout: 180_000,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
};
