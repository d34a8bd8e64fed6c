import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { EMAIL_QUEUE, WEBHOOK_QUEUE } from '@agent-ledger/contracts';
import { createLogger, gauge, injectTraceHeaders } from '@agent-ledger/telemetry';
import { Queue, type JobsOptions } from 'bullmq';
import type { NotifierConfig } from '../config/notifier.config';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import type { DeliveryChannel } from './deliveries.repository';

/** Job payload of both queues: the delivery to attempt. Content and secrets are read from PostgreSQL. */
export interface DeliveryJobData {
  deliveryId: string;
  tenantId: string;
  /** W3C trace context of the operation that queued the job: the worker continues its trace. */
  traceparent?: string;
  tracestate?: string;
}

/** Name of the jobs of each queue (a processor switches on it). */
export const DELIVERY_JOB = 'deliver';

/** The custom backoff type: the processor computes each delay (schedule, jitter, Retry-After). */
export const LEDGER_BACKOFF = 'agent-ledger';

export const QUEUE_OF: Record<DeliveryChannel, string> = { email: EMAIL_QUEUE, webhook: WEBHOOK_QUEUE };

const queueGauge = () => gauge('ledger_notification_queue_jobs', 'Jobs per state in the notification queues', ['queue', 'state']);

/**
 * The producer side of the email and webhook queues. Job ids are deterministic (the delivery's
 * `job_id`), so adding a job that is already queued, delayed, active or failed is a no-op; attempts,
 * backoff and retention are set here, once per queue.
 */
@Injectable()
export class NotificationQueue implements OnApplicationShutdown {
  private readonly log = createLogger(NotificationQueue.name);
  private readonly queues: Record<DeliveryChannel, Queue>;

  constructor(@Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig) {
    // Producer connections fail fast while Redis is away (the caller retries); workers wait instead.
    const connection = { url: config.REDIS_URL, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (times: number) => Math.min(times * 200, 2_000) };
    const make = (name: string) => {
      const q = new Queue<DeliveryJobData>(name, { connection, prefix: config.NOTIFIER_QUEUE_PREFIX });
      q.on('error', (err) => this.log.warn({ err, queue: name }, 'queue connection error'));
      return q;
    };
    this.queues = { email: make(EMAIL_QUEUE), webhook: make(WEBHOOK_QUEUE) };
  }

  jobOptions(channel: DeliveryChannel): JobsOptions {
    return {
      attempts: channel === 'webhook' ? this.config.NOTIFIER_WEBHOOK_RETRY_SCHEDULE.length : this.config.NOTIFIER_EMAIL_ATTEMPTS,
      backoff: { type: LEDGER_BACKOFF },
      // The first attempt of a webhook waits the schedule's first entry (0 by default).
      delay: channel === 'webhook' ? this.config.NOTIFIER_WEBHOOK_RETRY_SCHEDULE[0] : 0,
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: { age: 7 * 24 * 3_600 },
    };
  }

  /** Queues a delivery's job, with the active trace context; a job with this id that still exists is left as it is. */
  async add(channel: DeliveryChannel, jobId: string, data: DeliveryJobData): Promise<void> {
    const traced: DeliveryJobData = { ...data, ...injectTraceHeaders() };
    await this.queues[channel].add(DELIVERY_JOB, traced, { ...this.jobOptions(channel), jobId });
  }

  /** `unknown` when Redis has no such job (never added, removed, or lost). */
  async state(channel: DeliveryChannel, jobId: string): Promise<string> {
    return this.queues[channel].getJobState(jobId);
  }

  async refreshGauges(): Promise<void> {
    for (const [channel, q] of Object.entries(this.queues)) {
      const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      for (const [state, n] of Object.entries(counts)) queueGauge().set({ queue: QUEUE_OF[channel as DeliveryChannel], state }, n);
    }
  }

  /** After the consumer and the workers stopped (they stop in onModuleDestroy). */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close().catch(() => undefined)));
  }
}
