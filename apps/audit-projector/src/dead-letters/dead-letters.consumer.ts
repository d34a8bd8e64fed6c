import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC } from '@agent-ledger/contracts';
import { ConsumerHost, DlqPublisher, type Kafka, type PartitionBatch } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import { counter, createLogger } from '@agent-ledger/telemetry';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { decodeDeadLetter } from './dead-letter.codec';
import { DeadLettersRepository } from './dead-letters.repository';

const recorded = () =>
  counter('ledger_dead_letters_recorded_total', 'Dead letters read from the dead-letter topics and recorded in dead_letters', ['source_topic', 'reason_code']);

/**
 * Reads the dead-letter topics into `dead_letters` (the database has one writer), in its own
 * consumer group, hosted by {@link ConsumerHost}. Idempotent on the letter's DLQ position and time, so a
 * redelivered batch stores nothing twice; a database failure leaves the batch uncommitted and it is
 * retried. A letter that cannot be recorded is logged and left in its topic, never dead-lettered again.
 */
@Injectable()
export class DeadLettersConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(DeadLettersConsumer.name);
  private readonly host: ConsumerHost;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
    private readonly repository: DeadLettersRepository,
    private readonly readiness: ReadinessService,
    dlq: DlqPublisher,
  ) {
    this.host = new ConsumerHost(kafka, {
      name: 'dead-letters consumer',
      groupId: `${settings.groupId}-dead-letters`,
      topics: [ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC],
      fromBeginning: true,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      poison: 'skip',
      dlq,
      handle: (batch) => this.handle(batch),
    });
  }

  onApplicationBootstrap(): void {
    this.readiness.registerWorker('dead-letters-consumer', this.host);
    this.host.start();
  }

  private async handle(batch: PartitionBatch): Promise<void> {
    const letters = batch.messages.map((m) => decodeDeadLetter(batch.topic, batch.partition, m, this.settings.groupId));
    const { inserted, refused } = await this.repository.store(letters);
    for (const l of letters) if (!refused.includes(l)) recorded().inc({ source_topic: l.sourceTopic, reason_code: l.reasonCode });
    if (refused.length) {
      this.log.error(
        { topic: batch.topic, partition: batch.partition, refused: refused.map((l) => ({ dlqOffset: l.dlqOffset, sourceTopic: l.sourceTopic, sourceOffset: l.sourceOffset })) },
        'dead letters PostgreSQL refused to store; they stay in the dead-letter topic',
      );
    }
    if (inserted) {
      this.log.warn(
        { topic: batch.topic, partition: batch.partition, letters: letters.map((l) => ({ sourceTopic: l.sourceTopic, sourceOffset: l.sourceOffset, code: l.reasonCode })) },
        'dead letters recorded',
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.host.stop();
  }
}
