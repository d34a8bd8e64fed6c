// Where each parallel test worker runs: the suites of one jest worker run one after another, as
// they always did; the suites of different workers run at the same time on one broker and one
// PostgreSQL, so each worker has
//   - topics of its own: KAFKA_TOPIC_PREFIX `test-w<id>.`, read by libs/contracts when it loads;
//   - a database of its own (worker 1 keeps agent_ledger_test): the services' sweeps span every
//     tenant of their database (the notifier's lost-job recovery, the lifecycle watchdog), and a
//     service must never sweep up another suite's rows, signed with keys it does not have.
// Redis needs nothing: every system a suite starts has its own key and queue prefixes.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const WORKSPACE_ROOT = path.join(__dirname, '..', '..', '..');

/** The topic prefix of jest worker `workerId` (1-based). */
const testTopicPrefix = (workerId) => `test-w${workerId}.`;

/** The test database URL of jest worker `workerId`, from the stack's test database URL. */
function testDatabaseUrl(baseUrl, workerId) {
  if (String(workerId) === '1') return baseUrl;
  const u = new URL(baseUrl);
  u.pathname = `${u.pathname.replace(/\/$/, '')}_w${workerId}`;
  return u.toString();
}

/** Points this process at the namespace of its jest worker (a jest setup file: before any module loads). */
function enterTestNamespace(env = process.env) {
  const id = env.JEST_WORKER_ID || '1';
  env.KAFKA_TOPIC_PREFIX = testTopicPrefix(id);
  if (env.TEST_DATABASE_URL) env.TEST_DATABASE_URL = testDatabaseUrl(env.TEST_DATABASE_URL, id);
}

/**
 * Makes the namespaces of workers 1..`workers` ready: each worker's database (created if missing)
 * migrated, and its topics created if missing, by the built commands (`npm run build` first): the
 * same migrations and partition counts as a deployment.
 */
async function prepareTestNamespaces(workers, env = process.env) {
  const { Client } = require('pg');
  const dist = (...p) => path.join(WORKSPACE_ROOT, 'dist', 'libs', ...p);
  const run = (what, script, extra) => {
    const r = spawnSync(process.execPath, [script], { cwd: WORKSPACE_ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 180_000 });
    if (r.status !== 0) throw new Error(`${what} failed (${script}; "npm run build" first?):\n${r.stderr || r.stdout || r.error}`);
  };
  for (let id = 1; id <= workers; id++) {
    const url = testDatabaseUrl(env.TEST_DATABASE_URL, id);
    if (url !== env.TEST_DATABASE_URL) {
      const name = new URL(url).pathname.slice(1);
      const admin = new Client({ connectionString: env.TEST_DATABASE_URL });
      await admin.connect();
      try {
        const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (!rowCount) await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      run(`migrating ${name}`, dist('persistence', 'src', 'cli', 'migrate.js'), { DATABASE_URL: url });
    }
    run(`creating the topics of test worker ${id}`, dist('kafka', 'src', 'cli', 'ensure-topics.js'), { KAFKA_TOPIC_PREFIX: testTopicPrefix(id) });
  }
}

/** How many suites run at a time: the variable `name` (a whole number from 1 to 8) or `fallback`. */
function workerCount(name, fallback, env = process.env) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new Error(`${name} must be a whole number from 1 to 8; got ${JSON.stringify(raw)}`);
  return n;
}

module.exports = { workerCount, testTopicPrefix, testDatabaseUrl, enterTestNamespace, prepareTestNamespaces };
