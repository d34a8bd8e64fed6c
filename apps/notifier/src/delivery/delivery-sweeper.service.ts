import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createLogger } from '@agent-ledger/telemetry';
import type { NotifierConfig } from '../config/notifier.config';
import { RedisPolicyCheck } from '../queue/redis-policy.check';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { DeliveriesRepository } from './deliveries.repository';
import { NotificationPlanner } from './notification-planner.service';
import { NotificationQueue } from './notification.queue';

const BATCH = 200;
const GAUGES_EVERY_MS = 10_000;

/**
 * Keeps PostgreSQL and the queues in step, every NOTIFIER_SWEEP_INTERVAL_MS:
 * - queues pending deliveries that have no job yet: replays asked through the API
 *   (POST /v1/deliveries/:id/retry), and deliveries whose enqueue failed (Redis unreachable);
 * - queues again unfinished deliveries whose job Redis no longer has (lost with Redis's data), once
 *   they have been unchanged for NOTIFIER_RECOVER_AFTER.
 * A job id is the delivery's `job_id`, so a job that does exist is never duplicated.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(DeliverySweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastGauges = 0;
  private stopped = false;

  constructor(
    private readonly repository: DeliveriesRepository,
    private readonly planner: NotificationPlanner,
    private readonly queue: NotificationQueue,
    private readonly policy: RedisPolicyCheck,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.policy.passed.then(() => {
      if (!this.stopped) this.timer = setInterval(() => this.tick(), this.config.NOTIFIER_SWEEP_INTERVAL_MS);
    });
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.sweep()
      .catch((err) => this.log.warn({ err }, 'delivery sweep failed; trying again next time'))
      .finally(() => (this.running = undefined));
  }

  /** One pass (also called by tests). */
  async sweep(): Promise<void> {
    const waiting = await this.repository.awaitingEnqueue(BATCH);
    if (waiting.length) {
      await this.planner.enqueue(waiting);
      this.log.info({ count: waiting.length }, 'queued deliveries that had no job');
    }
    for (const ref of await this.repository.takeStale(this.config.NOTIFIER_RECOVER_AFTER, BATCH)) {
      if ((await this.queue.state(ref.channel, ref.jobId)) !== 'unknown') continue;
      this.log.warn({ deliveryId: ref.id, jobId: ref.jobId }, 'job of an unfinished delivery is missing from Redis; queuing it again');
      await this.queue.add(ref.channel, ref.jobId, { deliveryId: ref.id, tenantId: ref.tenantId });
    }
    if (Date.now() - this.lastGauges > GAUGES_EVERY_MS) {
      this.lastGauges = Date.now();
      await this.queue.refreshGauges();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
