// Jest global setup of the suites that run several at a time (integration, end to end): the stack's
// environment (global-setup.js), then the topics and database of every jest worker (test-namespace.js).
const loadStackEnv = require('./global-setup');
const { prepareTestNamespaces } = require('./test-namespace');

module.exports = async (globalConfig) => {
  await loadStackEnv();
  if (!process.env.TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set: run "bash scripts/stack.sh up" (npm test does) first');
  await prepareTestNamespaces(Math.max(1, globalConfig.maxWorkers));
};
