import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { RETENTION_QUEUE, RETENTION_TENANT_JOB, type RetentionJobData } from '@agent-ledger/contracts';
import { ApiError } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RETENTION_SETTINGS, type RetentionSettings } from './retention.settings';

/** What the retention worker returns from a run (passed through as `result`). */
export type RetentionJobResult = Record<string, unknown>;

/** A job as GET /v1/retention/runs/:runId shows it. */
export interface QueuedRun {
  data: Partial<RetentionJobData>;
  state: string;
  returnvalue: unknown;
  failedReason?: string;
}

/**
 * The producer side of the retention queue: on-demand runs of one tenant. Its own Redis connection
 * (BullMQ's: `maxRetriesPerRequest: null`), without an offline queue so that commands fail at once
 * while Redis is away, and every call bounded by `queueTimeoutMs`: an unreachable Redis is a 503
 * `queue_unavailable` with Retry-After, never a hanging request.
 */
@Injectable()
export class RetentionRunsQueue implements OnApplicationShutdown {
  private readonly log = createLogger(RetentionRunsQueue.name);
  private readonly connection: Redis;
  private readonly queue: Queue<RetentionJobData, RetentionJobResult>;

  constructor(@Inject(RETENTION_SETTINGS) private readonly settings: RetentionSettings) {
    this.connection = new Redis(settings.redisUrl, {
      maxRetriesPerRequest: null,
      enableOfflineQueue: false,
      connectionName: 'audit-api-retention',
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    this.connection.on('error', (err) => this.log.warn({ err }, 'retention queue connection error'));
    this.queue = new Queue<RetentionJobData, RetentionJobResult>(RETENTION_QUEUE, { connection: this.connection, prefix: settings.queuePrefix });
    this.queue.on('error', (err) => this.log.warn({ err }, 'retention queue error'));
  }

  /** Queues a run; the run id is the job id. Removed a day after it completed, a week after it failed. */
  async add(data: RetentionJobData): Promise<void> {
    await this.bounded('queuing the retention run', () =>
      this.queue.add(RETENTION_TENANT_JOB, data, {
        jobId: data.runId,
        removeOnComplete: { age: 86_400, count: 1_000 },
        removeOnFail: { age: 7 * 86_400 },
      }),
    );
  }

  /**
   * The job of a run, or undefined when Redis has none (never queued, removed, or of another queue).
   * The state is read before the job: BullMQ records the result and moves the job to `completed` (or
   * `failed`) in one script, so a terminal state read first guarantees the job read after carries its
   * result. Read the other way round, a run finishing between the two reads showed `completed` with
   * no result.
   */
  async find(runId: string): Promise<QueuedRun | undefined> {
    return this.bounded('reading the retention run', async () => {
      const state = await this.queue.getJobState(runId);
      const job = await this.queue.getJob(runId);
      if (!job || state === 'unknown') return undefined;
      return { data: job.data ?? {}, state, returnvalue: job.returnvalue, failedReason: job.failedReason };
    });
  }

  private async bounded<T>(what: string, work: () => Promise<T>): Promise<T> {
    const unavailable = () => ApiError.unavailable('queue_unavailable', `the retention queue (Redis) is unavailable: ${what} failed; retry later`, 2);
    if (this.connection.status !== 'ready') throw unavailable();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${this.settings.queueTimeoutMs} ms`)), this.settings.queueTimeoutMs);
    });
    try {
      return await Promise.race([work(), timeout]);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      this.log.warn({ err }, `${what} failed; answered 503`);
      throw unavailable();
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
