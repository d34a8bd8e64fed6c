// The end-to-end suites that must run alone (test/serial-suites.js), one after the other.
const parallel = require('./jest.e2e.config');
const { SERIAL_E2E_SUITES } = require('./test/serial-suites');

module.exports = {
  ...parallel,
  displayName: 'e2e-serial',
  testMatch: SERIAL_E2E_SUITES.map((s) => `${s}.e2e-spec.ts`),
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
};
