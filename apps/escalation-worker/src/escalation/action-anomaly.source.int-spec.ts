import { randomUUID } from 'node:crypto';
import { createLedgerDataSource, runMigrations, type DataSource } from '@agent-ledger/persistence';
import { stackEnv } from '@agent-ledger/testing';
import { ActionAnomalySource } from './action-anomaly.source';

/** The source over the real `action_anomaly_findings` table (rows written as the projector writes them). */
describe(ActionAnomalySource.name, () => {
  const tenantId = randomUUID();
  let ds: DataSource;
  let source: ActionAnomalySource;

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `anomaly-source-int-${tenantId}`]);
    source = new ActionAnomalySource(ds);
  });

  afterAll(async () => {
    await ds.query(`DELETE FROM tenants WHERE id = $1`, [tenantId]);
    await ds.destroy();
  });

  const insert = async (actionId: string, sessionId: string | null, code: string, triggerEventId = randomUUID()) => {
    await ds.query(`INSERT INTO action_anomaly_findings (tenant_id, action_id, session_id, code, description, trigger_event_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
      tenantId,
      actionId,
      sessionId,
      code,
      `${code} on ${actionId}`,
      triggerEventId,
    ]);
    return triggerEventId;
  };
  /** This tenant's due findings (other suites may hold rows of their own tenants). */
  const mine = async () => (await source.due(10_000)).filter((f) => f.fire.tenantId === tenantId);

  it('should fire each unhandled finding once with its code as reason and its trigger event, in insertion order', async () => {
    const first = await insert('a-1', 'sess-1', 'approval_mismatch');
    const second = await insert('a-1', 'sess-1', 'executed_after_rejection');
    const third = await insert('a-2', null, 'unapproved_execution');

    const due = await mine();

    expect(due.map((f) => f.fire)).toEqual([
      { tenantId, sessionId: 'sess-1', actionId: 'a-1', reason: 'approval_mismatch', summary: 'Action a-1: approval_mismatch on a-1', triggerId: first },
      { tenantId, sessionId: 'sess-1', actionId: 'a-1', reason: 'executed_after_rejection', summary: 'Action a-1: executed_after_rejection on a-1', triggerId: second },
      { tenantId, sessionId: 'action:a-2', actionId: 'a-2', reason: 'unapproved_execution', summary: 'Action a-2: unapproved_execution on a-2', triggerId: third },
    ]);
  });

  it('should not return a finding again once it is marked handled', async () => {
    const due = await mine();
    await source.markHandled(due.slice(0, 2));

    expect((await mine()).map((f) => f.fire.actionId)).toEqual(['a-2']);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM action_anomaly_findings WHERE tenant_id = $1 AND escalated_at IS NOT NULL`, [tenantId]);
    expect(n).toBe(2);

    await source.markHandled(await mine());
    expect(await mine()).toEqual([]);
  });

  it('should honour the limit, oldest first', async () => {
    await insert('a-3', 's', 'approval_mismatch');
    await insert('a-4', 's', 'approval_mismatch');

    const due = await source.due(1);

    expect(due).toHaveLength(1);
    const ids = (await source.due(10_000)).map((f) => BigInt(f.key));
    expect(BigInt(due[0].key)).toBe(ids.reduce((a, b) => (a < b ? a : b)));
  });
});
