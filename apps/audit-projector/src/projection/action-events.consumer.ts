import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ACTION_EVENTS_TOPIC } from '@agent-ledger/contracts';
import { PiiKeyError } from '@agent-ledger/integrity';
import { DlqPublisher, type ConsumerBatch, type StoredOffset } from '@agent-ledger/kafka';
import { ConsumerRegistry } from '@agent-ledger/runtime';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { PartitionMaintenanceService } from './partition-maintenance.service';
import { ProjectionRepository } from './projection.repository';
import { ProjectionService } from './projection.service';

/** kafkajs's seek offset for "the earliest offset available". */
const EARLIEST = '-2';

/**
 * The action events topic's consumer, hosted by the Kafka consumer transport (a ConsumerHost:
 * batches, poison isolation, rejoin, health), started once the month partitions are in place. On
 * assignment it seeks to the offsets stored in PostgreSQL with the rows; a message the host
 * dead-letters moves the stored offset past it.
 */
@Controller()
export class ActionEventsConsumer {
  constructor(
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
    private readonly projection: ProjectionService,
    private readonly repository: ProjectionRepository,
    private readonly partitions: PartitionMaintenanceService,
    consumers: ConsumerRegistry,
    dlq: DlqPublisher,
  ) {
    const s = settings;
    consumers.define({
      name: 'action events consumer',
      health: 'consumer',
      groupId: s.groupId,
      topics: [ACTION_EVENTS_TOPIC],
      fromBeginning: true,
      partitionsConsumedConcurrently: s.concurrency,
      maxBytesPerPartition: s.maxBatchBytes,
      sessionTimeoutMs: s.sessionTimeoutMs,
      dlq,
      startAfter: () => this.partitions.ensureAndSchedule(),
      storedOffsets: (assigned) => this.storedOffsets(assigned),
      skipped: (p) => this.projection.recordSkipped(p.topic, p.partition, BigInt(p.offset)),
      // The wrong master key is a configuration problem: retry until it is fixed, never dead-letter.
      classify: (err) => (err instanceof PiiKeyError ? 'transient' : undefined),
    });
  }

  @EventPattern(ACTION_EVENTS_TOPIC)
  async handleBatch(@Payload() batch: ConsumerBatch): Promise<void> {
    await this.projection.handleBatch(batch);
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
}
