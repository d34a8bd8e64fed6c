// Jest global setup for integration and end-to-end suites: the local stack must be up
// (scripts/stack.sh up, which `npm test` runs first). Loads .stack/env for variables not already set.
const fs = require('node:fs');
const path = require('node:path');

module.exports = async () => {
  const envFile = path.join(__dirname, '..', '..', '..', '.stack', 'env');
  if (fs.existsSync(envFile)) {
    for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
      const m = /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (!m) continue;
      const value = m[2].replace(/^["']|["']$/g, '');
      if (process.env[m[1]] === undefined) process.env[m[1]] = value;
    }
  }
  for (const name of ['KAFKA_BROKERS', 'DATABASE_URL', 'REDIS_URL']) {
    if (!process.env[name]) throw new Error(`${name} is not set: run "bash scripts/stack.sh up" (npm test does) first`);
  }
};
