import { Injectable } from '@nestjs/common';
import type { ReportFrequency, ReportSchedule } from '@agent-ledger/ledger-stats';
import { TenantDatabase } from '@agent-ledger/persistence';
import type { EntityManager } from 'typeorm';

export interface ReportRunRow {
  runId: string;
  trigger: 'schedule' | 'manual';
  frequency: ReportFrequency;
  periodFrom: Date;
  periodTo: Date;
  status: 'requested' | 'sent' | 'failed';
  recipients: number | null;
  error: string | null;
  requestedAt: Date;
  finishedAt: Date | null;
}

const RUN_COLUMNS = `run_id::text AS "runId", trigger, frequency, period_from AS "periodFrom", period_to AS "periodTo", status, recipients, error,
  requested_at AS "requestedAt", finished_at AS "finishedAt"`;

/** A tenant's report schedule and report runs, in its row-level security scope. */
@Injectable()
export class ReportsRepository {
  constructor(private readonly db: TenantDatabase) {}

  async findSchedule(tenantId: string): Promise<ReportSchedule | undefined> {
    const [row] = await this.db.query<ReportSchedule>(tenantId, `SELECT frequency, hour, weekday, timezone, enabled FROM report_schedules WHERE tenant_id = $1`, [tenantId]);
    return row;
  }

  /** Runs `work` in one transaction in the tenant's scope. */
  transaction<T>(tenantId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.run(tenantId, work);
  }

  /** The schedule, locked until the transaction ends (concurrent changes are recorded one after the other). */
  async lockSchedule(m: EntityManager, tenantId: string): Promise<ReportSchedule | undefined> {
    const [row] = await m.query(`SELECT frequency, hour, weekday, timezone, enabled FROM report_schedules WHERE tenant_id = $1 FOR UPDATE`, [tenantId]);
    return row;
  }

  async saveSchedule(m: EntityManager, tenantId: string, s: ReportSchedule): Promise<void> {
    await m.query(
      `INSERT INTO report_schedules (tenant_id, frequency, hour, weekday, timezone, enabled) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id) DO UPDATE SET frequency = $2, hour = $3, weekday = $4, timezone = $5, enabled = $6, updated_at = now()`,
      [tenantId, s.frequency, s.hour, s.weekday, s.timezone, s.enabled],
    );
  }

  async requestRun(tenantId: string, run: { runId: string; frequency: ReportFrequency; from: Date; to: Date }): Promise<void> {
    await this.db.query(
      tenantId,
      `INSERT INTO report_runs (run_id, tenant_id, trigger, frequency, period_from, period_to, status) VALUES ($1, $2, 'manual', $3, $4, $5, 'requested')`,
      [run.runId, tenantId, run.frequency, run.from, run.to],
    );
  }

  async findRun(tenantId: string, runId: string): Promise<ReportRunRow | undefined> {
    const [row] = await this.db.query<ReportRunRow>(tenantId, `SELECT ${RUN_COLUMNS} FROM report_runs WHERE tenant_id = $1 AND run_id = $2`, [tenantId, runId]);
    return row;
  }

  recentRuns(tenantId: string, limit: number): Promise<ReportRunRow[]> {
    return this.db.query<ReportRunRow>(tenantId, `SELECT ${RUN_COLUMNS} FROM report_runs WHERE tenant_id = $1 ORDER BY requested_at DESC, run_id LIMIT $2`, [tenantId, limit]);
  }
}
