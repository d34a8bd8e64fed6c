// End-to-end suites that run alone, after the parallel ones (jest.e2e-serial.config.js): each stops or
// restarts something every suite shares. Suites that only load the machine (the quick benchmark, the
// 200,000-event floods) run in parallel: they slow their neighbours, never change what those see.
const SERIAL_E2E_SUITES = [
  'stack/stack-script', // scripts/stack.sh down and up: every service of the stack stops
  'drills/fault-drill', // stops the broker, restarts PostgreSQL, under load
  'write-path/ingest', // stops the broker
].map((suite) => `<rootDir>/test/${suite}`);

module.exports = { SERIAL_E2E_SUITES };
