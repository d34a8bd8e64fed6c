import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { reportPeriod, type ReportFrequency, type ReportSchedule } from '@agent-ledger/ledger-stats';
import { ApiError } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { ChangeRecorder, type ChangeContext } from '../change-log/change-recorder.service';
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
  private readonly log = createLogger(ReportsService.name);

  constructor(
    private readonly repository: ReportsRepository,
    private readonly changes: ChangeRecorder,
  ) {}

  async get(tenantId: string) {
    const schedule = (await this.repository.findSchedule(tenantId)) ?? null;
    return { schedule, recentRuns: (await this.repository.recentRuns(tenantId, RECENT_RUNS)).map(toRun) };
  }

  /** Sets the schedule and records the change, before (null when none was set) and after, in the tenant's ledger in the same transaction. */
  async put(tenantId: string, dto: PutReportScheduleDto, ctx: ChangeContext) {
    const schedule: ReportSchedule = { frequency: dto.frequency, hour: dto.hour, weekday: dto.frequency === 'weekly' ? (dto.weekday ?? null) : null, timezone: dto.timezone, enabled: dto.enabled };
    await this.repository.transaction(tenantId, async (m) => {
      const before = (await this.repository.lockSchedule(m, tenantId)) ?? null;
      await this.repository.saveSchedule(m, tenantId, schedule);
      await this.changes.record(m, ctx, { tenantId, resource: { type: 'report_schedule', id: tenantId }, action: 'report_schedule.updated', before, after: schedule });
    });
    this.changes.flushSoon();
    this.log.info({ tenantId, ...schedule }, 'report schedule updated');
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
