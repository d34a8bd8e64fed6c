import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createLogger } from '@agent-ledger/telemetry';
import type { NotifierConfig } from '../config/notifier.config';
import { RedisPolicyCheck } from '../queue/redis-policy.check';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { ReportRunsRepository } from './report-runs.repository';
import { ReportQueue } from './report.queue';

/** Requested runs taken per poll. */
const RUNS_PER_POLL = 100;

/**
 * Follows report_schedules and report_runs: on start and every NOTIFIER_REPORT_RECONCILE_MS the
 * queue's job schedulers are made the enabled schedules; every NOTIFIER_REPORT_RUNS_POLL_MS the runs
 * asked for through the API are queued (job id per run: a repeat, or a second notifier, adds nothing).
 */
@Injectable()
export class ReportScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(ReportScheduler.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    private readonly policy: RedisPolicyCheck,
    private readonly runs: ReportRunsRepository,
    private readonly queue: ReportQueue,
  ) {}

  onApplicationBootstrap(): void {
    void this.policy.passed.then(() => {
      if (this.stopped) return;
      this.every(this.config.NOTIFIER_REPORT_RECONCILE_MS, () => this.reconcile());
      this.every(this.config.NOTIFIER_REPORT_RUNS_POLL_MS, () => this.queueRequestedRuns());
    });
  }

  /** Runs `work` now and then `ms` after each end (never two at once). */
  private every(ms: number, work: () => Promise<void>): void {
    const tick = async () => {
      try {
        await work();
      } catch (err) {
        this.log.warn({ err }, 'report scheduling step failed; retrying at the next tick');
      }
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void tick();
      }, ms).unref();
      this.timers.add(timer);
    };
    void tick();
  }

  async reconcile(): Promise<void> {
    const { changed, removed } = await this.queue.reconcile(await this.runs.enabledSchedules());
    if (changed || removed) this.log.info({ changed, removed }, 'report schedulers reconciled');
  }

  async queueRequestedRuns(): Promise<void> {
    for (const { runId } of await this.runs.requestedRuns(RUNS_PER_POLL)) await this.queue.addRun(runId);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }
}
