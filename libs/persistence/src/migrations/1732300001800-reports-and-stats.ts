import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';
import { revokeService } from './service-grants';

/** What the notifier's reports read and write, besides its delivery tables (docs/reports.md). */
export const REPORT_NOTIFIER_GRANTS: [table: string, privileges: string][] = [
  ['report_schedules', 'SELECT'],
  ['report_runs', 'SELECT, INSERT, UPDATE'],
  ['actions', 'SELECT'],
  ['audit_events', 'SELECT'],
  ['escalations', 'SELECT'],
  ['checkpoints', 'SELECT'],
  ['dead_letters', 'SELECT'],
];

/**
 * Scheduled reports and the statistics' index (docs/reports.md, docs/statistics.md):
 * - `report_schedules`: per tenant, how often its report is sent (daily, or weekly on `weekday`,
 *   0 = Sunday), at which local `hour` of which IANA `timezone`, and whether it is enabled.
 * - `report_runs`: each report, scheduled or asked for with `POST /v1/reports/runs`, its period and
 *   outcome. A scheduled period has one run whatever the number of notifiers (unique index).
 * - `actions_window_breakdown_idx`: the window index with the columns the breakdowns by provider,
 *   agent and actor and the failures by error code read, so `GET /v1/stats` stays an index-only scan.
 * Both tables are under row-level security (audit-api's tenant side configures and asks for runs);
 * the notifier reads the schedules and statistics and records the runs.
 */
export class ReportsAndStats1732300001800 implements MigrationInterface {
  name = 'ReportsAndStats1732300001800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report_schedules (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly')),
        hour integer NOT NULL CHECK (hour BETWEEN 0 AND 23),
        weekday integer CHECK (weekday BETWEEN 0 AND 6),
        timezone text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (frequency = 'daily' OR weekday IS NOT NULL)
      )`);
    await q.query(`
      CREATE TABLE report_runs (
        run_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
        frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly')),
        period_from timestamptz NOT NULL,
        period_to timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('requested', 'sent', 'failed')),
        recipients integer,
        error text,
        requested_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CHECK (period_from < period_to)
      )`);
    await q.query(`CREATE UNIQUE INDEX report_runs_scheduled_period_idx ON report_runs (tenant_id, frequency, period_to) WHERE trigger = 'schedule'`);
    await q.query(`CREATE INDEX report_runs_tenant_idx ON report_runs (tenant_id, requested_at DESC)`);
    await q.query(`CREATE INDEX report_runs_requested_idx ON report_runs (requested_at) WHERE status = 'requested'`);
    await q.query(`SELECT ledger_enable_tenant_rls('report_schedules'::regclass, 'SELECT, INSERT, UPDATE')`);
    await q.query(`SELECT ledger_enable_tenant_rls('report_runs'::regclass, 'SELECT, INSERT')`);
    for (const [table, privileges] of REPORT_NOTIFIER_GRANTS) await q.query(`SELECT ledger_grant_service($1::regclass, $2, $3)`, [table, RUNTIME_ROLES.notifier, privileges]);

    await q.query(`
      CREATE INDEX actions_window_breakdown_idx ON actions (tenant_id, first_event_at)
        INCLUDE (status, tool_name, tool_provider, agent_id, agent_name, actor_type, actor_id, error_code, duration_ms)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS actions_window_breakdown_idx`);
    for (const [table] of REPORT_NOTIFIER_GRANTS.filter(([t]) => !t.startsWith('report_'))) await revokeService(q, table, RUNTIME_ROLES.notifier);
    await q.query(`DROP TABLE IF EXISTS report_runs`);
    await q.query(`DROP TABLE IF EXISTS report_schedules`);
  }
}
