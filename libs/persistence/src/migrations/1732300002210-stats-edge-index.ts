import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The statistics read `actions` only for a window's edges (under an hour on each side, the rest comes
 * from the rollups of migration 1732300002200) and for the exact percentiles of small windows. One
 * covering index with every column those reads use replaces the two window indexes of migrations 900
 * and 1800: the edge reads stay index-only scans, and every action write maintains one index fewer.
 */
export class StatsEdgeIndex1732300002210 implements MigrationInterface {
  name = 'StatsEdgeIndex1732300002210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`
      CREATE INDEX IF NOT EXISTS actions_stats_edge_idx ON actions (tenant_id, first_event_at)
        INCLUDE (status, tool_name, tool_provider, risk_level, approval_decision, error_code, agent_id, agent_name, actor_type, actor_id, duration_ms, approval_decision_ms)`);
    await q.query(`DROP INDEX IF EXISTS actions_window_idx`);
    await q.query(`DROP INDEX IF EXISTS actions_window_breakdown_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`CREATE INDEX IF NOT EXISTS actions_window_idx ON actions (tenant_id, first_event_at) INCLUDE (status, tool_name, risk_level, approval_decision, duration_ms)`);
    await q.query(`
      CREATE INDEX IF NOT EXISTS actions_window_breakdown_idx ON actions (tenant_id, first_event_at)
        INCLUDE (status, tool_name, tool_provider, agent_id, agent_name, actor_type, actor_id, error_code, duration_ms)`);
    await q.query(`DROP INDEX IF EXISTS actions_stats_edge_idx`);
  }
}
