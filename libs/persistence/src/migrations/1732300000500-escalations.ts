import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalations: per-tenant rule settings (edited through audit-api), and the escalations the
 * projector persists from the escalations topic — current state plus every event (history).
 */
export class Escalations1732300000500 implements MigrationInterface {
  name = 'Escalations1732300000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE escalation_rules (
        tenant_id uuid PRIMARY KEY,
        settings jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE escalations (
        escalation_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        session_id text NOT NULL,
        action_id text,
        reason text NOT NULL,
        severity text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
        summary text NOT NULL,
        customer_message text NOT NULL,
        count integer NOT NULL,
        triggering_event_ids jsonb NOT NULL DEFAULT '[]',
        opened_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        acknowledged_by text,
        resolved_at timestamptz,
        resolved_by text,
        notes text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX escalations_tenant_idx ON escalations (tenant_id, opened_at DESC, escalation_id DESC)`);
    await q.query(`CREATE INDEX escalations_session_idx ON escalations (tenant_id, session_id)`);
    await q.query(`CREATE INDEX escalations_status_idx ON escalations (tenant_id, status, opened_at DESC)`);
    await q.query(`
      CREATE TABLE escalation_events (
        event_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        escalation_id uuid NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        payload jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX escalation_events_escalation_idx ON escalation_events (tenant_id, escalation_id, occurred_at)`);
    // Row-level security, where the tenant isolation migration already ran (it covers these tables otherwise).
    for (const [table, privileges] of [['escalation_rules', 'SELECT, INSERT, UPDATE'], ['escalations', 'SELECT'], ['escalation_events', 'SELECT']]) {
      await q.query(`
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'ledger_enable_tenant_rls') THEN
            EXECUTE format('SELECT ledger_enable_tenant_rls(%L::regclass, %L)', '${table}', '${privileges}');
          END IF;
        END $$`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS escalation_events`);
    await q.query(`DROP TABLE IF EXISTS escalations`);
    await q.query(`DROP TABLE IF EXISTS escalation_rules`);
  }
}
