import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BatchConsumerRunner, type Kafka, type StoredOffset } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { PartitionMaintenanceService } from './partition-maintenance.service';
import { ProjectionRepository } from './projection.repository';
import { ProjectionService } from './projection.service';

/** A partition whose batch has failed (and been retried) this long makes the service not ready. */
const STUCK_AFTER_MS = 60_000;
/** kafkajs's seek offset for "the earliest offset available". */
const EARLIEST = '-2';

/**
 * Runs the kafkajs batch consumer of the action events topic (NestJS's Kafka transport has no batch
 * mode). Starts in the background once the app is up, retrying while Kafka is unreachable; on
 * assignment it seeks to the offsets stored in PostgreSQL; on shutdown it lets the batch in flight
 * commit and leaves the group.
 */
@Injectable()
export class ActionEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(ActionEventsConsumer.name);
  private runner?: BatchConsumerRunner;
  private starting?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
    private readonly projection: ProjectionService,
    private readonly repository: ProjectionRepository,
    private readonly partitions: PartitionMaintenanceService,
    private readonly readiness: ReadinessService,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: 'consumer',
      check: async () => {
        if (!this.runner?.isRunning) throw new Error('action event consumer is not running');
        const stuck = this.projection.failingLongerThan(STUCK_AFTER_MS);
        if (stuck.length) throw new Error(`batches failing for over ${STUCK_AFTER_MS / 1000} s on ${stuck.join(', ')}`);
      },
    });
    this.starting = this.startWithRetry();
  }

  private async startWithRetry(): Promise<void> {
    await this.partitions.ensureAndSchedule();
    let delay = 1_000;
    while (!this.stopped) {
      const runner = this.createRunner();
      try {
        await runner.start();
        if (this.stopped) {
          await runner.stop();
          return;
        }
        this.runner = runner;
        this.log.info({ groupId: this.settings.groupId, topic: this.settings.topic }, 'consuming action events');
        return;
      } catch (err) {
        this.log.warn({ err, retryInMs: delay }, 'could not start the action event consumer');
        await runner.stop().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  private createRunner(): BatchConsumerRunner {
    const s = this.settings;
    return new BatchConsumerRunner(this.kafka, {
      groupId: s.groupId,
      topics: [s.topic],
      fromBeginning: true,
      partitionsConsumedConcurrently: s.concurrency,
      maxBytesPerPartition: s.maxBatchBytes,
      sessionTimeoutMs: s.sessionTimeoutMs,
      handleBatch: async (batch) => {
        await this.projection.handleBatch(batch);
      },
      storedOffsets: (assigned) => this.storedOffsets(assigned),
    });
  }

  /**
   * Where each assigned partition resumes: the next offset stored with the rows. A partition with no
   * stored offset has nothing of this group in this database, so it starts from the earliest offset
   * Kafka still holds ('-2'), whatever the group committed in Kafka (e.g. a new database).
   */
  private async storedOffsets(assigned: { topic: string; partitions: number[] }[]): Promise<StoredOffset[]> {
    const out: StoredOffset[] = [];
    for (const { topic, partitions } of assigned) {
      const stored = new Map((await this.repository.storedOffsets(this.settings.groupId, topic, partitions)).map((o) => [o.partition, o.nextOffset]));
      for (const partition of partitions) out.push({ topic, partition, offset: stored.get(partition) ?? EARLIEST });
    }
    return out;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    await this.runner?.stop();
  }
}
