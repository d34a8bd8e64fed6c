import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RETENTION_QUEUE, RETENTION_SWEEP_JOB, RETENTION_TENANT_JOB, type RetentionJobData } from '@agent-ledger/contracts';
import { ReadinessService } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RetentionConfig } from '../config/retention.config';
import { RETENTION_CONFIG } from '../config/retention-config.token';
import { PurgeRepository } from '../purge/purge.repository';
import { TenantPurgeService, type TenantRunResult } from '../purge/tenant-purge.service';

const SCHEDULER_ID = 'retention-sweep';

export interface SweepResult {
  tenants: TenantRunResult[];
  failed: { tenantId: string; error: string }[];
  droppedPartitions: string[];
}

const connectionOf = (config: RetentionConfig) => ({ url: config.REDIS_URL, retryStrategy: (times: number) => Math.min(times * 200, 2_000) });

/**
 * The retention queue's worker (one job at a time per process) and its job scheduler: BullMQ keeps
 * one `sweep` per RETENTION_EVERY_MS whatever the number of workers; several workers share the
 * jobs, and the tenant lock keeps two of them off one tenant.
 */
@Injectable()
export class RetentionProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(RetentionProcessor.name);
  private worker?: Worker;
  private queue?: Queue;
  /** Aborted at shutdown: a sweep stops between tenants, a purge between its steps (the next run resumes it). */
  private readonly stopping = new AbortController();

  constructor(
    @Inject(RETENTION_CONFIG) private readonly config: RetentionConfig,
    private readonly tenants: TenantPurgeService,
    private readonly repository: PurgeRepository,
    private readonly readiness: ReadinessService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.config.RETENTION_QUEUE_PREFIX;
    this.queue = new Queue(RETENTION_QUEUE, { connection: connectionOf(this.config), prefix });
    this.queue.on('error', (err) => this.log.warn({ err }, 'retention queue connection error'));
    this.worker = new Worker(RETENTION_QUEUE, (job) => this.process(job), {
      connection: connectionOf(this.config),
      prefix,
      concurrency: 1,
      lockDuration: this.config.RETENTION_LOCK_DURATION_MS,
    });
    this.worker.on('error', (err) => this.log.warn({ err }, 'retention worker connection error'));
    this.worker.on('failed', (job, err) => this.log.error({ jobId: job?.id, name: job?.name, err }, 'retention job failed'));
    this.readiness.register({
      name: 'retention-worker',
      check: async () => {
        if (!this.worker?.isRunning()) throw new Error('the retention worker is not running');
      },
    });
    // Redis may be away at boot: the scheduler is set once it answers.
    if (this.config.RETENTION_SWEEP_ENABLED) void this.schedule();
    else this.log.info('scheduled sweeps are off (RETENTION_SWEEP_ENABLED=false): runs only on demand');
  }

  private async schedule(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.queue?.upsertJobScheduler(SCHEDULER_ID, { every: this.config.RETENTION_EVERY_MS }, { name: RETENTION_SWEEP_JOB, data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } });
        this.log.info({ everyMs: this.config.RETENTION_EVERY_MS }, 'retention sweep scheduled');
        return;
      } catch (err) {
        if (!this.queue) return;
        if (attempt % 10 === 0) this.log.warn({ err }, 'could not schedule the retention sweep yet; retrying');
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  }

  private async process(job: Job): Promise<TenantRunResult | SweepResult> {
    switch (job.name) {
      case RETENTION_TENANT_JOB: {
        const data = job.data as Partial<RetentionJobData>;
        if (typeof data?.tenantId !== 'string') throw new UnrecoverableError('a tenant job needs data.tenantId');
        const result = await this.tenants.run(data.tenantId, this.stopping.signal);
        await this.dropEmptyPartitions();
        return result;
      }
      case RETENTION_SWEEP_JOB:
        return this.sweep();
      default:
        throw new UnrecoverableError(`unknown job ${job.name}`);
    }
  }

  /** Every tenant once; one tenant's failure is reported and the others still run. */
  private async sweep(): Promise<SweepResult> {
    const result: SweepResult = { tenants: [], failed: [], droppedPartitions: [] };
    for (const tenantId of await this.repository.tenants()) {
      if (this.stopping.signal.aborted) break;
      try {
        result.tenants.push(await this.tenants.run(tenantId, this.stopping.signal));
      } catch (err) {
        this.log.error({ err, tenantId }, 'retention run of a tenant failed; the next run resumes it');
        result.failed.push({ tenantId, error: (err as Error).message });
      }
    }
    result.droppedPartitions = await this.dropEmptyPartitions();
    if (result.failed.length) throw new Error(`retention failed for ${result.failed.length} tenant(s): ${result.failed.map((f) => `${f.tenantId}: ${f.error}`).join('; ')}`);
    return result;
  }

  private async dropEmptyPartitions(): Promise<string[]> {
    const dropped = await this.repository.dropEmptyPartitions();
    if (dropped.length) this.log.info({ dropped }, 'empty audit_events partitions dropped');
    return dropped;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort(new Error('the retention worker is shutting down; the next run resumes'));
    const queue = this.queue;
    this.queue = undefined;
    await this.worker?.close();
    await queue?.close();
  }
}
