import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { reportCron } from '@agent-ledger/ledger-stats';
import { createLogger } from '@agent-ledger/telemetry';
import { Queue, type JobsOptions } from 'bullmq';
import type { NotifierConfig } from '../config/notifier.config';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import type { TenantSchedule } from './report-runs.repository';

/** The reports queue: one job scheduler per tenant with an enabled schedule, and one job per report run. */
export const REPORT_QUEUE = 'agent-ledger.reports';

/** A scheduled report is due: the tenant's period ending at the job's scheduled time. */
export const SCHEDULED_REPORT_JOB = 'report.scheduled';
/** A run asked for through the API. */
export const REPORT_RUN_JOB = 'report.run';

export interface ScheduledReportJobData {
  tenantId: string;
}
export interface ReportRunJobData {
  runId: string;
}
export type ReportJobData = ScheduledReportJobData | ReportRunJobData;

/** Scheduler ids name the tenant, so every notifier upserts the same one. */
const SCHEDULER_PREFIX = 'report-';
export const schedulerId = (tenantId: string) => `${SCHEDULER_PREFIX}${tenantId}`;

const JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3_600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
};

/**
 * The producer side of the reports queue. Scheduled jobs get BullMQ's deterministic ids
 * (`repeat:<scheduler>:<time>`), run jobs `run-<runId>`: two notifiers add each job once.
 */
@Injectable()
export class ReportQueue implements OnApplicationShutdown {
  private readonly log = createLogger(ReportQueue.name);
  readonly queue: Queue<ReportJobData>;

  constructor(@Inject(NOTIFIER_CONFIG) config: NotifierConfig) {
    const connection = { url: config.REDIS_URL, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (times: number) => Math.min(times * 200, 2_000) };
    this.queue = new Queue<ReportJobData>(REPORT_QUEUE, { connection, prefix: config.NOTIFIER_QUEUE_PREFIX });
    this.queue.on('error', (err) => this.log.warn({ err, queue: REPORT_QUEUE }, 'queue connection error'));
  }

  /** Makes the queue's schedulers exactly the enabled schedules: adds or changes those that differ, removes the others. */
  async reconcile(schedules: TenantSchedule[]): Promise<{ changed: number; removed: number }> {
    const existing = new Map((await this.queue.getJobSchedulers(0, -1)).filter((j) => j.key.startsWith(SCHEDULER_PREFIX)).map((j) => [j.key, j]));
    let changed = 0;
    for (const s of schedules) {
      const id = schedulerId(s.tenantId);
      const pattern = reportCron(s);
      const current = existing.get(id);
      existing.delete(id);
      if (current?.pattern === pattern && current.tz === s.timezone) continue;
      await this.queue.upsertJobScheduler(id, { pattern, tz: s.timezone }, { name: SCHEDULED_REPORT_JOB, data: { tenantId: s.tenantId }, opts: JOB_OPTIONS });
      changed++;
    }
    for (const key of existing.keys()) await this.queue.removeJobScheduler(key);
    return { changed, removed: existing.size };
  }

  async addRun(runId: string): Promise<void> {
    await this.queue.add(REPORT_RUN_JOB, { runId }, { ...JOB_OPTIONS, jobId: `run-${runId}` });
  }

  /** When the tenant's next scheduled report is due, if it has a scheduler. */
  async nextRun(tenantId: string): Promise<Date | undefined> {
    const s = await this.queue.getJobScheduler(schedulerId(tenantId));
    return s?.next ? new Date(s.next) : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
