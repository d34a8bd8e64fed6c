import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit projector's merge state of each action (one summary per lifecycle stage, every approval
 * decision seen). The `actions` columns are derived from it; keeping it lets a batch merge new events
 * into an action without re-reading its history, and makes the result the same for any order of the
 * same events (see apps/audit-projector/src/projection/action-state.ts and docs/integrity.md).
 */
export class ActionProjectionState1732300000200 implements MigrationInterface {
  name = 'ActionProjectionState1732300000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE actions ADD COLUMN projection_state jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE actions DROP COLUMN IF EXISTS projection_state`);
  }
}
