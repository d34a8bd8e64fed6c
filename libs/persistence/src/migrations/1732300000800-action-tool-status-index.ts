import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed (or cancelled, …) actions of one tool, newest first — the question operators ask most —
 * read straight from one index. With only the single-column indexes, a combination that matches
 * few rows walked every action of the tool (about 130 ms over 500,000 actions).
 */
export class ActionToolStatusIndex1732300000800 implements MigrationInterface {
  name = 'ActionToolStatusIndex1732300000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS actions_tool_status_seq_idx ON actions (tenant_id, tool_name, status, seq DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS actions_tool_status_seq_idx`);
  }
}
