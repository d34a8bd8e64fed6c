import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A stable, immutable order for listing actions: `seq` is assigned when the projector first stores
 * an action and never changes, so cursor pagination returns each action exactly once even while new
 * events keep changing other columns (first_event_at moves earlier when an earlier event arrives
 * late). Newest first means most recently recorded first.
 */
export class ActionSeq1732300000310 implements MigrationInterface {
  name = 'ActionSeq1732300000310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE actions ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY`);
    await q.query(`CREATE UNIQUE INDEX actions_seq_idx ON actions (tenant_id, seq DESC)`);
    await q.query(`CREATE INDEX actions_status_seq_idx ON actions (tenant_id, status, seq DESC)`);
    await q.query(`CREATE INDEX actions_tool_seq_idx ON actions (tenant_id, tool_name, seq DESC)`);
    await q.query(`CREATE INDEX actions_risk_seq_idx ON actions (tenant_id, risk_level, seq DESC)`);
    await q.query(`CREATE INDEX actions_session_seq_idx ON actions (tenant_id, session_id, seq DESC)`);
    await q.query(`CREATE INDEX actions_first_event_idx ON actions (tenant_id, first_event_at)`);
    await q.query(`DROP INDEX IF EXISTS actions_status_idx`);
    await q.query(`DROP INDEX IF EXISTS actions_tool_idx`);
    await q.query(`DROP INDEX IF EXISTS actions_session_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS actions_session_idx ON actions (tenant_id, session_id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS actions_status_idx ON actions (tenant_id, status, first_event_at DESC)`);
    await q.query(`CREATE INDEX IF NOT EXISTS actions_tool_idx ON actions (tenant_id, tool_name, first_event_at DESC)`);
    for (const idx of ['actions_seq_idx', 'actions_status_seq_idx', 'actions_tool_seq_idx', 'actions_risk_seq_idx', 'actions_session_seq_idx', 'actions_first_event_idx']) {
      await q.query(`DROP INDEX IF EXISTS ${idx}`);
    }
    await q.query(`ALTER TABLE actions DROP COLUMN IF EXISTS seq`);
  }
}
