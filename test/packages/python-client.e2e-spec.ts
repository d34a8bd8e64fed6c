import { spawn } from 'node:child_process';
import path from 'node:path';
import { LedgerSystem, WORKSPACE_ROOT, type TestTenant } from '@agent-ledger/testing';

const CLIENT_DIR = path.join(WORKSPACE_ROOT, 'clients', 'python');
/** Debian's interpreter: the client needs nothing beyond the standard library. */
const PYTHON = '/usr/bin/python3';

function runUnittest(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-m', 'unittest', 'discover', '-v', '-s', 'tests', '-t', '.'], { cwd: CLIENT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The Python client (clients/python) against the real ingest-api, audit-projector and audit-api:
 * its unittest suite runs with the services' addresses and a tenant's keys, so the system tests
 * (events stored, a retried batch stored once, 400 and 401 as LedgerError) run instead of skipping.
 */
describe('Python client against the running ledger', () => {
  const system = new LedgerSystem({ services: ['ingest-api', 'audit-projector', 'audit-api'] });
  let tenant: TestTenant;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`p4-python-${system.suffix}`);
  });

  afterAll(() => system.stop());

  it('should pass every test of the client, the system tests included, when the services run', async () => {
    const { code, output } = await runUnittest({
      PATH: process.env.PATH,
      PYTHONPATH: CLIENT_DIR,
      PYTHONDONTWRITEBYTECODE: '1',
      AGENT_LEDGER_INGEST_URL: system.url('ingest-api'),
      AGENT_LEDGER_INGEST_KEY: tenant.apiKeys.ingest,
      AGENT_LEDGER_AUDIT_URL: system.url('audit-api'),
      AGENT_LEDGER_READ_KEY: tenant.apiKeys.read,
    });
    if (code !== 0) throw new Error(`python -m unittest exited ${code}:\n${output}`);
    expect(output).not.toMatch(/skipped/);
    expect(output).toMatch(/test_should_store_each_event_once_when_the_first_answer_is_lost_and_the_batch_is_retried .* ok/);
    expect(output).toMatch(/test_should_raise_ledger_error_naming_the_field_when_the_ledger_answers_400 .* ok/);
    expect(output).toMatch(/^OK$/m);
  });

  it('should have stored exactly the events the system tests sent once each when they are counted in PostgreSQL', async () => {
    const { rows } = await system.db.query(`SELECT event_id, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 GROUP BY event_id HAVING count(*) > 1`, [tenant.tenantId]);
    expect(rows).toEqual([]);
    // The lifecycle (3), the retried action (2), the 503 signal (1), plus the tenant.created record.
    expect(await system.countStored(tenant.tenantId)).toBe(7);
  });
});
