import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';

/**
 * A purge interrupted between its steps resumes where it stopped (docs/retention.md): with the
 * projector away the retention.purged record cannot be stored, so the worker waits with nothing
 * deleted; it is killed (SIGKILL) there. The next run, with the projector back, finishes the same
 * purge — one archive, one record, every row deleted once — and the record verifies.
 */
describe('retention purge resumed after the worker was killed', () => {
  const system = new LedgerSystem({
    services: ['ingest-api', 'audit-projector', 'audit-api', 'retention-worker'],
    checkpointEveryMs: 300,
    env: { 'retention-worker': { RETENTION_RECORD_TIMEOUT_MS: '120000' } },
  });
  let tenant: TestTenant;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`retention-resume-${system.suffix}`);
  }, 120_000);
  afterAll(() => system.stop());

  const count = async (sql: string) => (await system.db.query(sql, [tenant.tenantId])).rows[0].n as number;

  async function start(): Promise<string> {
    const started = await system.api<{ runId: string }>('POST', '/v1/retention/runs', tenant.apiKeys.admin);
    expect(started.status).toBe(202);
    return started.body.runId;
  }

  async function run(): Promise<Record<string, unknown>> {
    const runId = await start();
    let answer: Record<string, unknown> = {};
    await waitFor(
      async () => {
        answer = (await system.api('GET', `/v1/retention/runs/${runId}`, tenant.apiKeys.admin)).body;
        return answer.state === 'completed' || answer.state === 'failed';
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'the retention run to end' },
    );
    return answer;
  }

  it('should delete nothing while its record cannot be stored, survive a SIGKILL there, and finish the same purge at the next run', async () => {
    expect((await system.api('PUT', '/v1/retention', tenant.apiKeys.admin, { retainFor: 'PT5S' })).status).toBe(200);
    const events = Array.from({ length: 10 }, (_, i) => anActionEventInput({ actionId: `resume-${i}` }));
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    await system.waitForStored(tenant.tenantId, 11); // the events and the policy change
    await system.waitForCheckpointAtHeads(tenant.tenantId);
    await waitFor(async () => (await count(`SELECT (now() - max(created_at) > interval '5 seconds')::int AS n FROM checkpoints WHERE tenant_id = $1`)) === 1, {
      timeoutMs: 30_000,
      what: 'the checkpoint to pass the horizon',
    });
    const stored = await system.countStored(tenant.tenantId);

    await system.service('audit-projector').stop();
    await start();
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM retention_purges WHERE tenant_id = $1 AND state = 'archived'`)) === 1, {
      timeoutMs: 30_000,
      what: 'the purge archived and waiting for its record',
    });
    await system.restart('retention-worker', 'SIGKILL');

    expect(await count(`SELECT count(*)::int AS n FROM retention_purges WHERE tenant_id = $1 AND state = 'archived'`)).toBe(1);
    expect(await system.countStored(tenant.tenantId)).toBe(stored);

    await system.restart('audit-projector');
    const resumed = await run();

    expect(resumed).toMatchObject({ state: 'completed', result: { outcome: 'purged' } });
    const { rows } = await system.db.query(`SELECT purge_id::text AS id, state FROM retention_purges WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(rows).toEqual([{ id: (resumed.result as { purgeId: string }).purgeId, state: 'purged' }]);
    expect(await count(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND type = 'retention.purged'`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND action_id LIKE 'resume-%'`)).toBe(0);
    expect((await readdir(path.join(system.archiveDir, 'tenants', tenant.tenantId))).filter((f) => f.endsWith('.jsonl.gz'))).toHaveLength(1);
    let report: Record<string, unknown> = {};
    await waitFor(
      async () => {
        report = (await system.api('GET', '/v1/integrity/verify', tenant.apiKeys.read)).body;
        return report.status !== 'unverified';
      },
      { timeoutMs: 30_000, intervalMs: 300, what: 'the record signed by a checkpoint' },
    );
    expect({ status: report.status, failures: report.failures }).toEqual({ status: 'ok', failures: [] });
  });
});
