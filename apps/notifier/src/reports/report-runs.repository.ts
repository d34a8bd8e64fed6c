import { Injectable } from '@nestjs/common';
import type { ReportFrequency, ReportSchedule } from '@agent-ledger/ledger-stats';
import { DataSource } from '@agent-ledger/persistence';

export interface TenantSchedule extends ReportSchedule {
  tenantId: string;
}

export interface ReportRun {
  runId: string;
  tenantId: string;
  frequency: ReportFrequency;
  periodFrom: Date;
  periodTo: Date;
  status: 'requested' | 'sent' | 'failed';
}

const RUN = `run_id::text AS "runId", tenant_id::text AS "tenantId", frequency, period_from AS "periodFrom", period_to AS "periodTo", status`;

/** Report schedules (read) and report runs (recorded) across tenants: the notifier's side of docs/reports.md. */
@Injectable()
export class ReportRunsRepository {
  constructor(private readonly ds: DataSource) {}

  enabledSchedules(): Promise<TenantSchedule[]> {
    return this.ds.query(`SELECT tenant_id::text AS "tenantId", frequency, hour, weekday, timezone, enabled FROM report_schedules WHERE enabled ORDER BY tenant_id`);
  }

  async findSchedule(tenantId: string): Promise<TenantSchedule | undefined> {
    const [row] = await this.ds.query(`SELECT tenant_id::text AS "tenantId", frequency, hour, weekday, timezone, enabled FROM report_schedules WHERE tenant_id = $1`, [tenantId]);
    return row;
  }

  /** Runs asked for through the API that no notifier finished yet. */
  requestedRuns(limit: number): Promise<{ runId: string }[]> {
    return this.ds.query(`SELECT run_id::text AS "runId" FROM report_runs WHERE status = 'requested' AND trigger = 'manual' ORDER BY requested_at LIMIT $1`, [limit]);
  }

  /** The run of a scheduled period: created by the first notifier that gets there, the same row for every other. */
  async scheduledRun(tenantId: string, frequency: ReportFrequency, from: Date, to: Date, runId: string): Promise<ReportRun> {
    await this.ds.query(
      `INSERT INTO report_runs (run_id, tenant_id, trigger, frequency, period_from, period_to, status) VALUES ($1, $2, 'schedule', $3, $4, $5, 'requested')
       ON CONFLICT (tenant_id, frequency, period_to) WHERE trigger = 'schedule' DO NOTHING`,
      [runId, tenantId, frequency, from, to],
    );
    const [row] = await this.ds.query(`SELECT ${RUN} FROM report_runs WHERE tenant_id = $1 AND frequency = $2 AND period_to = $3 AND trigger = 'schedule'`, [tenantId, frequency, to]);
    return row;
  }

  async findRun(runId: string): Promise<ReportRun | undefined> {
    const [row] = await this.ds.query(`SELECT ${RUN} FROM report_runs WHERE run_id = $1`, [runId]);
    return row;
  }

  async finishRun(runId: string, outcome: { status: 'sent' | 'failed'; recipients: number; error?: string }): Promise<void> {
    await this.ds.query(`UPDATE report_runs SET status = $2, recipients = $3, error = $4, finished_at = now() WHERE run_id = $1 AND status = 'requested'`, [
      runId,
      outcome.status,
      outcome.recipients,
      outcome.error ?? null,
    ]);
  }
}
