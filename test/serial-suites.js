// End-to-end suites that run alone, after the parallel ones (jest.e2e-serial.config.js): each stops or
// restarts something every suite shares, or loads both cores on its own for minutes (with them in
// the parallel phase, the machine was saturated and the phase took longer, not shorter).
const SERIAL_E2E_SUITES = [
  'stack/stack-script', // scripts/stack.sh down and up: every service of the stack stops
  'drills/fault-drill', // stops the broker, restarts PostgreSQL, under load
  'write-path/ingest', // stops the broker
  'bench/bench', // the quick benchmark: both cores for about 2 minutes
  'security/abuse-limits', // 200,000 events replayed to a slow reader
].map((suite) => `<rootDir>/test/${suite}`);

module.exports = { SERIAL_E2E_SUITES };
