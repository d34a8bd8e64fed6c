import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { reportPeriod, type ReportFrequency, type ReportSchedule } from '@agent-ledger/ledger-stats';
import { ApiError } from '@agent-ledger/runtime';
import type { PutReportScheduleDto } from './reports.dto';
import { ReportsRepository, type ReportRunRow } from './reports.repository';

const RECENT_RUNS = 20;

const toRun = (r: ReportRunRow) => ({
  runId: r.runId,
  trigger: r.trigger,
  frequency: r.frequency,
  period: { from: new Date(r.periodFrom).toISOString(), to: new Date(r.periodTo).toISOString() },
  status: r.status,
  recipients: r.recipients,
  error: r.error,
  requestedAt: new Date(r.requestedAt).toISOString(),
  finishedAt: r.finishedAt ? new Date(r.finishedAt).toISOString() : null,
});

/** Scheduled reports' settings and runs (docs/reports.md); the notifier sends them. */
@Injectable()
export class ReportsService {
  constructor(private readonly repository: ReportsRepository) {}

  async get(tenantId: string) {
    const schedule = (await this.repository.findSchedule(tenantId)) ?? null;
    return { schedule, recentRuns: (await this.repository.recentRuns(tenantId, RECENT_RUNS)).map(toRun) };
  }

  async put(tenantId: string, dto: PutReportScheduleDto) {
    const schedule: ReportSchedule = { frequency: dto.frequency, hour: dto.hour, weekday: dto.frequency === 'weekly' ? (dto.weekday ?? null) : null, timezone: dto.timezone, enabled: dto.enabled };
    await this.repository.saveSchedule(tenantId, schedule);
    return { schedule };
  }

  /** A run of the period that ends now; the notifier picks it up (status requested → sent or failed). */
  async startRun(tenantId: string, frequency: ReportFrequency | undefined) {
    const f = frequency ?? (await this.repository.findSchedule(tenantId))?.frequency ?? 'daily';
    const runId = randomUUID();
    const { from, to } = reportPeriod(f, new Date());
    await this.repository.requestRun(tenantId, { runId, frequency: f, from, to });
    return this.run(tenantId, runId);
  }

  async run(tenantId: string, runId: string) {
    const row = await this.repository.findRun(tenantId, runId);
    if (!row) throw ApiError.notFound('report_run_not_found', `no report run ${runId}`, 'runId');
    return toRun(row);
  }
}
