import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { defaultBucket, reportPeriod, StatsService } from '@agent-ledger/ledger-stats';
import { counter, createLogger } from '@agent-ledger/telemetry';
import type { NotifierConfig } from '../config/notifier.config';
import { DeliveriesRepository, type NewDelivery } from '../delivery/deliveries.repository';
import { NotificationPlanner, recipientKey } from '../delivery/notification-planner.service';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { ReportFactsRepository } from './report-facts.repository';
import { buildReportNotice } from './report-notice';
import { ReportRunsRepository, type ReportRun } from './report-runs.repository';

const reportsSent = () => counter('ledger_reports_total', 'Report runs finished, by outcome', ['outcome']);

/**
 * Sends a report run: statistics of its period (the same StatsService as GET /v1/stats), escalations
 * and integrity, as one email delivery per recipient of the tenant's email channel (the delivery log,
 * queue, retries and SMTP path of every notification). Deliveries are keyed by run and recipient, and
 * a scheduled period has one run, so a report goes out once per period whatever the number of notifiers.
 */
@Injectable()
export class ReportService {
  private readonly log = createLogger(ReportService.name);

  constructor(
    private readonly runs: ReportRunsRepository,
    private readonly facts: ReportFactsRepository,
    private readonly stats: StatsService,
    private readonly deliveries: DeliveriesRepository,
    private readonly planner: NotificationPlanner,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  /** The scheduled report of the period ending at `scheduledAt` (the scheduler's fire time). */
  async sendScheduled(tenantId: string, scheduledAt: Date): Promise<void> {
    const schedule = await this.runs.findSchedule(tenantId);
    if (!schedule?.enabled) return;
    const { from, to } = reportPeriod(schedule.frequency, scheduledAt);
    await this.send(await this.runs.scheduledRun(tenantId, schedule.frequency, from, to, randomUUID()));
  }

  async sendRun(runId: string): Promise<void> {
    const run = await this.runs.findRun(runId);
    if (run) await this.send(run);
  }

  private async send(run: ReportRun): Promise<void> {
    if (run.status !== 'requested') return;
    const channels = await this.deliveries.channelsOf(run.tenantId);
    if (!channels.emailRecipients.length) {
      await this.runs.finishRun(run.runId, { status: 'failed', recipients: 0, error: 'the tenant has no email recipients (PUT /v1/channels)' });
      reportsSent().inc({ outcome: 'failed' });
      return;
    }
    const from = new Date(run.periodFrom);
    const to = new Date(run.periodTo);
    const stats = await this.stats.statistics(run.tenantId, { from, to, bucket: defaultBucket(to.getTime() - from.getTime()) });
    const notice = buildReportNotice({
      tenant: { id: run.tenantId, name: (await this.deliveries.tenantName(run.tenantId)) ?? run.tenantId },
      runId: run.runId,
      frequency: run.frequency,
      stats,
      facts: await this.facts.facts(run.tenantId, from, to),
      link: `${this.config.dashboardUrl}/`,
    });
    const rows: NewDelivery[] = channels.emailRecipients.map((address) => {
      const key = recipientKey(address);
      return {
        id: randomUUID(),
        tenantId: run.tenantId,
        eventType: `report.${run.frequency}`,
        channel: 'email',
        target: address,
        dedupKey: `report-${run.runId}-${key}`,
        messageId: `<report.${run.runId}.${key}@agent-ledger>`,
        payload: notice,
      };
    });
    await this.planner.enqueue(await this.deliveries.upsertDeliveries(rows));
    await this.runs.finishRun(run.runId, { status: 'sent', recipients: rows.length });
    reportsSent().inc({ outcome: 'sent' });
    this.log.info({ tenantId: run.tenantId, runId: run.runId, recipients: rows.length }, 'report queued for its recipients');
  }
}
