import { randomUUID } from 'node:crypto';
import { createLedgerDataSource, runMigrations, type DataSource } from '@agent-ledger/persistence';
import { stackEnv } from '@agent-ledger/testing';
import type { ActionChange } from './action-change';
import type { ActionAnomaly, ActionRow } from './action-state';
import { AnomalyFindingsRepository, newAnomalyFindings } from './anomaly-findings.repository';
import type { AcceptedMessage } from './event-intake';
import { ProjectionRepository } from './projection.repository';

const MISMATCH: ActionAnomaly = { code: 'approval_mismatch', description: 'the executed input is not the approved one' };
const OUTCOMES: ActionAnomaly = { code: 'conflicting_outcomes', description: 'conflicting outcomes recorded' };
const REJECTED: ActionAnomaly = { code: 'executed_after_rejection', description: 'executed although rejected' };

const row = (anomalies: ActionAnomaly[]): ActionRow => ({ sessionId: 'sess-1', anomalies, anomaly: anomalies.length > 0 }) as ActionRow;
const message = (tenantId: string, actionId: string, eventId = randomUUID()): AcceptedMessage => ({ event: { tenantId, eventId }, columns: { actionId } }) as unknown as AcceptedMessage;

describe(AnomalyFindingsRepository.name, () => {
  const tenantId = randomUUID();
  const findings = new AnomalyFindingsRepository();
  let ds: DataSource;

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `findings-int-${tenantId}`]);
  });

  afterAll(async () => {
    await ds.query(`DELETE FROM tenants WHERE id = $1`, [tenantId]);
    await ds.destroy();
  });

  const record = (changes: ActionChange[], events: AcceptedMessage[]) => new ProjectionRepository(ds).transaction((tx) => findings.record(tx, changes, events));
  const stored = async (actionId: string) =>
    (await ds.query(`SELECT code, session_id, description, trigger_event_id::text AS trigger FROM action_anomaly_findings WHERE tenant_id = $1 AND action_id = $2 ORDER BY code`, [tenantId, actionId])) as {
      code: string;
      session_id: string;
      description: string;
      trigger: string;
    }[];

  it('should store each escalated code new on the row, with the last event of the action in the batch as its trigger', async () => {
    const actionId = `a-${randomUUID()}`;
    const first = message(tenantId, actionId);
    const last = message(tenantId, actionId);

    const n = await record([{ tenantId, actionId, before: null, after: row([OUTCOMES, MISMATCH, REJECTED]) }], [first, message(tenantId, 'other'), last]);

    expect(n).toBe(2);
    expect(await stored(actionId)).toEqual([
      { code: 'approval_mismatch', session_id: 'sess-1', description: MISMATCH.description, trigger: last.event.eventId },
      { code: 'executed_after_rejection', session_id: 'sess-1', description: REJECTED.description, trigger: last.event.eventId },
    ]);
  });

  it('should store nothing for a code the row had before, and keep a stored finding when it is raised again', async () => {
    const actionId = `a-${randomUUID()}`;
    const trigger = message(tenantId, actionId);
    await record([{ tenantId, actionId, before: null, after: row([MISMATCH]) }], [trigger]);

    const again = await record([{ tenantId, actionId, before: null, after: row([MISMATCH]) }], [message(tenantId, actionId)]);
    const kept = await record([{ tenantId, actionId, before: row([MISMATCH]), after: row([MISMATCH, REJECTED]) }], [message(tenantId, actionId)]);

    expect(again).toBe(0);
    expect(kept).toBe(1);
    expect((await stored(actionId)).map((f) => [f.code, f.trigger === trigger.event.eventId])).toEqual([
      ['approval_mismatch', true],
      ['executed_after_rejection', false],
    ]);
  });

  it('should raise no finding for codes that are not escalated', () => {
    expect(newAnomalyFindings([{ tenantId, actionId: 'x', before: null, after: row([OUTCOMES]) }], [message(tenantId, 'x')])).toEqual([]);
  });
});
