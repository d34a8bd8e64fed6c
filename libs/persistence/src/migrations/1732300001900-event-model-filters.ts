import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The richer event model and the filters of the read path (docs/read-path.md, docs/intake-contract.md):
 *
 * - `audit_events` gains the query columns of the typed fields: `task_id`, `plan_id`, `step_id`,
 *   `approval_id`, `message_role`, `change_action` (create | update | delete of a `change.recorded`,
 *   from `changes.before` / `after` being null), and `tool_provider`, `agent_name`, `error_message`
 *   (for the provider filter and free-text search). Added to the partitioned parent, so every
 *   partition (present and future) has them. Rows recorded before this version keep NULL: the log is
 *   append-only, nothing rewrites it.
 * - `actions` gains `task_id`, `plan_id`, `step_id`, `approval_id` and `approval_decision_ms`
 *   (from `approval.decisionMs`, rounded to whole milliseconds).
 * - Indexes for each new filter, for "slowest operations" (keyset on duration_ms, seq), and, when
 *   pg_trgm can be installed, trigram GIN indexes behind the free-text `q` (tool name, agent id and
 *   name, error message). Without pg_trgm the same query runs, by scanning the tenant's rows.
 *
 * No new table: the grants and row-level security of `audit_events` and `actions` cover the columns.
 */
export class EventModelFilters1732300001900 implements MigrationInterface {
  name = 'EventModelFilters1732300001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_events
        ADD COLUMN task_id text,
        ADD COLUMN plan_id text,
        ADD COLUMN step_id text,
        ADD COLUMN approval_id text,
        ADD COLUMN message_role text,
        ADD COLUMN change_action text CHECK (change_action IN ('create', 'update', 'delete')),
        ADD COLUMN tool_provider text,
        ADD COLUMN agent_name text,
        ADD COLUMN error_message text`);
    await q.query(`
      ALTER TABLE actions
        ADD COLUMN task_id text,
        ADD COLUMN plan_id text,
        ADD COLUMN step_id text,
        ADD COLUMN approval_id text,
        ADD COLUMN approval_decision_ms integer CHECK (approval_decision_ms >= 0)`);

    for (const column of ['task_id', 'plan_id', 'approval_id', 'tool_provider']) {
      await q.query(`CREATE INDEX IF NOT EXISTS audit_events_${column}_idx ON audit_events (tenant_id, ${column}, occurred_at DESC) WHERE ${column} IS NOT NULL`);
    }
    for (const column of ['task_id', 'plan_id', 'approval_id', 'tool_provider', 'subject_id']) {
      await q.query(`CREATE INDEX IF NOT EXISTS actions_${column}_seq_idx ON actions (tenant_id, ${column}, seq DESC) WHERE ${column} IS NOT NULL`);
    }
    await q.query(`CREATE INDEX IF NOT EXISTS actions_duration_seq_idx ON actions (tenant_id, duration_ms DESC, seq DESC) WHERE duration_ms IS NOT NULL`);

    // The text `q` searches: one immutable expression, so an index can hold it. U+001F separates
    // the fields (the API refuses control characters in `q`), so no match spans two fields.
    await q.query(`
      CREATE FUNCTION ledger_search_text(a text, b text, c text, d text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(a, '') || chr(31) || coalesce(b, '') || chr(31) || coalesce(c, '') || chr(31) || coalesce(d, '')
      $$`);
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
          BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
          EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm not installed (%): free-text search runs without an index', SQLERRM;
          END;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
          CREATE INDEX IF NOT EXISTS actions_search_trgm_idx ON actions
            USING gin (ledger_search_text(tool_name, agent_id, agent_name, error_message) gin_trgm_ops);
          CREATE INDEX IF NOT EXISTS audit_events_search_trgm_idx ON audit_events
            USING gin (ledger_search_text(tool_name, agent_id, agent_name, error_message) gin_trgm_ops);
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    // pg_trgm stays installed: it may have been there before, and other objects may use it.
    await q.query(`DROP INDEX IF EXISTS actions_search_trgm_idx`);
    await q.query(`DROP INDEX IF EXISTS audit_events_search_trgm_idx`);
    await q.query(`DROP FUNCTION IF EXISTS ledger_search_text(text, text, text, text)`);
    await q.query(`DROP INDEX IF EXISTS actions_duration_seq_idx`);
    for (const column of ['task_id', 'plan_id', 'approval_id', 'tool_provider', 'subject_id']) await q.query(`DROP INDEX IF EXISTS actions_${column}_seq_idx`);
    for (const column of ['task_id', 'plan_id', 'approval_id', 'tool_provider']) await q.query(`DROP INDEX IF EXISTS audit_events_${column}_idx`);
    await q.query(`ALTER TABLE actions DROP COLUMN task_id, DROP COLUMN plan_id, DROP COLUMN step_id, DROP COLUMN approval_id, DROP COLUMN approval_decision_ms`);
    await q.query(`
      ALTER TABLE audit_events DROP COLUMN task_id, DROP COLUMN plan_id, DROP COLUMN step_id, DROP COLUMN approval_id,
        DROP COLUMN message_role, DROP COLUMN change_action, DROP COLUMN tool_provider, DROP COLUMN agent_name, DROP COLUMN error_message`);
  }
}
