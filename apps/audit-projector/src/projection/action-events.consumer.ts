import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PiiKeyError } from '@agent-ledger/integrity';
import { ConsumerHost, DlqPublisher, type Kafka, type StoredOffset } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { PartitionMaintenanceService } from './partition-maintenance.service';
import { ProjectionRepository } from './projection.repository';
import { ProjectionService } from './projection.service';

/** kafkajs's seek offset for "the earliest offset available". */
const EARLIEST = '-2';

/**
 * The action events topic's consumer, hosted by {@link ConsumerHost} (batches, poison isolation,
 * rejoin, health). On assignment it seeks to the offsets stored in PostgreSQL with the rows; a
 * message the host dead-letters moves the stored offset past it.
 */
@Injectable()
export class ActionEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly host: ConsumerHost;
  private starting?: Promise<void>;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
    private readonly projection: ProjectionService,
    private readonly repository: ProjectionRepository,
    private readonly partitions: PartitionMaintenanceService,
    private readonly readiness: ReadinessService,
    dlq: DlqPublisher,
  ) {
    const s = settings;
    this.host = new ConsumerHost(kafka, {
      name: 'action events consumer',
      groupId: s.groupId,
      topics: [s.topic],
      fromBeginning: true,
      partitionsConsumedConcurrently: s.concurrency,
      maxBytesPerPartition: s.maxBatchBytes,
      sessionTimeoutMs: s.sessionTimeoutMs,
      dlq,
      handle: async (batch) => {
        await this.projection.handleBatch(batch);
      },
      storedOffsets: (assigned) => this.storedOffsets(assigned),
      skipped: (p) => this.projection.recordSkipped(p.topic, p.partition, BigInt(p.offset)),
      // The wrong master key is a configuration problem: retry until it is fixed, never dead-letter.
      classify: (err) => (err instanceof PiiKeyError ? 'transient' : undefined),
    });
  }

  onApplicationBootstrap(): void {
    this.readiness.registerWorker('consumer', this.host);
    this.starting = this.partitions.ensureAndSchedule().then(() => this.host.start());
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
    await this.starting?.catch(() => undefined);
    await this.host.stop();
  }
}
