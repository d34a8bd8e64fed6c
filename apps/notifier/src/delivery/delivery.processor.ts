import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { ReadinessService } from '@agent-ledger/runtime';
import { createLogger, extractTraceContext, semconv, withSpan } from '@agent-ledger/telemetry';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { NotifierConfig } from '../config/notifier.config';
import type { RedisPolicyCheck } from '../queue/redis-policy.check';
import type { DeliveriesRepository, DeliveryChannel } from './deliveries.repository';
import type { AttemptRequest, DeliveryOutcome } from './delivery-outcome';
import { DELIVERY_JOB, QUEUE_OF, type DeliveryJobData } from './notification.queue';

/** Thrown to BullMQ for another attempt after `delayMs` (read back by the backoff strategy). */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/** Delay after an unexpected error (e.g. PostgreSQL unreachable): 5 s, doubling, at most 5 min. */
const fallbackDelay = (attemptsMade: number) => Math.min(5_000 * 2 ** Math.max(0, attemptsMade - 1), 300_000);

/**
 * The BullMQ worker of one delivery queue: hands each job to the channel's delivery service and maps
 * its outcome onto the queue (done, retry after the computed delay, or fail for good). Starts once
 * Redis's eviction policy passed; on shutdown lets the jobs in flight finish (a job cut short by a
 * kill is stalled, and retried by a worker once its lock expired).
 */
export abstract class DeliveryProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly log = createLogger(this.constructor.name);
  private worker?: Worker<DeliveryJobData>;
  private stopped = false;

  protected abstract readonly channel: DeliveryChannel;
  protected abstract readonly concurrency: number;
  protected abstract attempt(req: AttemptRequest): Promise<DeliveryOutcome>;

  constructor(
    protected readonly config: NotifierConfig,
    private readonly policy: RedisPolicyCheck,
    private readonly readiness: ReadinessService,
    private readonly repository: DeliveriesRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: `${this.channel}-worker`,
      check: async () => {
        if (!this.worker?.isRunning()) throw new Error(`${this.channel} worker is not running`);
      },
    });
    void this.start();
  }

  private async start(): Promise<void> {
    await this.policy.passed;
    if (this.stopped) return;
    const queue = QUEUE_OF[this.channel];
    const worker = new Worker<DeliveryJobData>(queue, (job) => this.process(job), {
      connection: { url: this.config.REDIS_URL, retryStrategy: (times: number) => Math.min(times * 200, 2_000) },
      prefix: this.config.NOTIFIER_QUEUE_PREFIX,
      concurrency: this.concurrency,
      lockDuration: this.config.NOTIFIER_LOCK_DURATION_MS,
      stalledInterval: this.config.NOTIFIER_STALLED_INTERVAL_MS,
      maxStalledCount: this.config.NOTIFIER_MAX_STALLED_COUNT,
      settings: { backoffStrategy: (attemptsMade, _type, err) => (err instanceof RetryLaterError ? err.delayMs : fallbackDelay(attemptsMade)) },
    });
    worker.on('error', (err) => this.log.warn({ err, queue }, 'worker connection error'));
    worker.on('stalled', (jobId) => this.log.warn({ jobId, queue }, 'job stalled (its worker stopped mid-job); retrying it'));
    worker.on('failed', (job, err) => {
      if (!job?.finishedOn) return;
      // Failures the delivery service recorded are final already; this catches the others (stalled too often, unexpected errors).
      this.repository.failIfUnfinished(job.data.deliveryId, job.id ?? '', err.message).then(
        (changed) => changed && this.log.error({ jobId: job.id, deliveryId: job.data.deliveryId, err }, 'delivery job failed without recording an outcome'),
        (dbErr) => this.log.error({ err: dbErr, jobId: job.id }, 'could not record a failed delivery job'),
      );
    });
    this.worker = worker;
    this.log.info({ queue, concurrency: this.concurrency }, 'delivery worker started');
  }

  /** Each attempt runs in a span whose parent is the trace context queued with the job (the webhook request carries it on). */
  private process(job: Job<DeliveryJobData>): Promise<DeliveryOutcome> {
    const attributes = {
      [semconv.ATTR_MESSAGING_SYSTEM]: 'bullmq',
      [semconv.ATTR_MESSAGING_OPERATION_TYPE]: 'process',
      [semconv.ATTR_MESSAGING_DESTINATION_NAME]: job.queueName,
      [semconv.ATTR_MESSAGING_MESSAGE_ID]: job.id ?? '',
      'agent_ledger.delivery.id': job.data.deliveryId,
      'agent_ledger.delivery.attempt': job.attemptsMade + 1,
      'agent_ledger.tenant.id': job.data.tenantId,
    };
    return withSpan(`${job.queueName} process`, () => this.run(job), { parent: extractTraceContext(job.data as unknown as Record<string, unknown>), kind: 'consumer', attributes });
  }

  private async run(job: Job<DeliveryJobData>): Promise<DeliveryOutcome> {
    switch (job.name) {
      case DELIVERY_JOB: {
        const outcome = await this.attempt({ deliveryId: job.data.deliveryId, jobId: job.id ?? '', attemptsMade: job.attemptsMade, maxAttempts: job.opts.attempts ?? 1 });
        switch (outcome.kind) {
          case 'delivered':
          case 'skipped':
            return outcome;
          case 'retry':
            throw new RetryLaterError(outcome.error, outcome.delayMs);
          case 'failed':
            throw new UnrecoverableError(outcome.error);
        }
        break;
      }
      default:
        throw new UnrecoverableError(`unknown job ${job.name} in ${job.queueName}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.worker?.close();
  }
}
