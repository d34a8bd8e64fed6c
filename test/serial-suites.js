// End-to-end suites that run alone, after the parallel ones (jest.e2e-serial.config.js): each stops or
// restarts something every suite shares, or loads the machine on purpose and measures it.
const SERIAL_E2E_SUITES = [
  'stack/stack-script', // scripts/stack.sh down and up: every service of the stack stops
  'drills/fault-drill', // stops the broker, restarts PostgreSQL, under load
  'write-path/ingest', // stops the broker
  'bench/bench', // the quick benchmark: loads both cores and reports CPU figures
  'security/abuse-limits', // floods intake with 200,000 events
].map((suite) => `<rootDir>/test/${suite}`);

module.exports = { SERIAL_E2E_SUITES };
