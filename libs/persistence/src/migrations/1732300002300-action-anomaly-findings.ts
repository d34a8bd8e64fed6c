import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

/**
 * Approval binding (docs/accountability.md): `action_anomaly_findings` holds one row per action and
 * escalated anomaly code (`approval_mismatch`, `unapproved_execution`, `executed_after_rejection`),
 * inserted by the projector in the transaction that first derives the code on the action's row.
 * `trigger_event_id` is the event whose merge raised it. The escalation worker polls the rows it has
 * not handled (`escalated_at` null), opens one escalation per row and marks it handled.
 * Tenants read the rows under row-level security; audit-api reads them.
 */
export class ActionAnomalyFindings1732300002300 implements MigrationInterface {
  name = 'ActionAnomalyFindings1732300002300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE action_anomaly_findings (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        action_id text NOT NULL,
        session_id text,
        code text NOT NULL,
        description text NOT NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        trigger_event_id uuid NOT NULL,
        escalated_at timestamptz,
        UNIQUE (tenant_id, action_id, code))`);
    await q.query(`CREATE INDEX action_anomaly_findings_unhandled_idx ON action_anomaly_findings (id) WHERE escalated_at IS NULL`);
    await q.query(`SELECT ledger_enable_tenant_rls('action_anomaly_findings'::regclass, 'SELECT')`);
    await q.query(`SELECT ledger_grant_service('action_anomaly_findings'::regclass, $1, 'SELECT, INSERT')`, [RUNTIME_ROLES.projector]);
    await q.query(`SELECT ledger_grant_service('action_anomaly_findings'::regclass, $1, 'SELECT, UPDATE')`, [RUNTIME_ROLES.worker]);
    await q.query(`SELECT ledger_grant_service('action_anomaly_findings'::regclass, $1, 'SELECT')`, [RUNTIME_ROLES.api]);
    await q.query(`GRANT USAGE ON SEQUENCE action_anomaly_findings_id_seq TO ${RUNTIME_ROLES.projector}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS action_anomaly_findings`);
  }
}
