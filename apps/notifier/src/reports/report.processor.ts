import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ReadinessService } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { NotifierConfig } from '../config/notifier.config';
import { RedisPolicyCheck } from '../queue/redis-policy.check';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { REPORT_QUEUE, REPORT_RUN_JOB, SCHEDULED_REPORT_JOB, type ReportJobData, type ReportRunJobData, type ScheduledReportJobData } from './report.queue';
import { ReportService } from './report.service';

/** Worker of the reports queue: a scheduled report's period ends at the time its scheduler fired it. */
@Injectable()
export class ReportProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(ReportProcessor.name);
  private worker?: Worker<ReportJobData>;
  private stopped = false;

  constructor(
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    private readonly policy: RedisPolicyCheck,
    private readonly readiness: ReadinessService,
    private readonly reports: ReportService,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: 'report-worker',
      check: async () => {
        if (!this.worker?.isRunning()) throw new Error('report worker is not running');
      },
    });
    void this.start();
  }

  private async start(): Promise<void> {
    await this.policy.passed;
    if (this.stopped) return;
    this.worker = new Worker<ReportJobData>(REPORT_QUEUE, (job) => this.process(job), {
      connection: { url: this.config.REDIS_URL, retryStrategy: (times: number) => Math.min(times * 200, 2_000) },
      prefix: this.config.NOTIFIER_QUEUE_PREFIX,
      concurrency: 2,
      lockDuration: this.config.NOTIFIER_LOCK_DURATION_MS,
      stalledInterval: this.config.NOTIFIER_STALLED_INTERVAL_MS,
      maxStalledCount: this.config.NOTIFIER_MAX_STALLED_COUNT,
    });
    this.worker.on('error', (err) => this.log.warn({ err, queue: REPORT_QUEUE }, 'worker connection error'));
    this.worker.on('failed', (job, err) => this.log.warn({ err, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'report job failed'));
  }

  private async process(job: Job<ReportJobData>): Promise<void> {
    switch (job.name) {
      case SCHEDULED_REPORT_JOB:
        // prevMillis: the scheduled time of this iteration (BullMQ sets it on scheduler jobs).
        return this.reports.sendScheduled((job.data as ScheduledReportJobData).tenantId, new Date(job.opts.prevMillis ?? job.timestamp));
      case REPORT_RUN_JOB:
        return this.reports.sendRun((job.data as ReportRunJobData).runId);
      default:
        throw new UnrecoverableError(`unknown job ${job.name} in ${job.queueName}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.worker?.close();
  }
}
