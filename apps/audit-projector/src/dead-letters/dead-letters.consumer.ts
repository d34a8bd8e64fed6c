import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC } from '@agent-ledger/contracts';
import { DlqPublisher, type PartitionBatch } from '@agent-ledger/kafka';
import { ConsumerRegistry } from '@agent-ledger/runtime';
import { counter, createLogger } from '@agent-ledger/telemetry';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { decodeDeadLetter } from './dead-letter.codec';
import { DeadLettersRepository } from './dead-letters.repository';

const recorded = () =>
  counter('ledger_dead_letters_recorded_total', 'Dead letters read from the dead-letter topics and recorded in dead_letters', ['source_topic', 'reason_code']);

/**
 * Reads the dead-letter topics into `dead_letters` (the database has one writer), in its own
 * consumer group, hosted by the Kafka consumer transport (a ConsumerHost). Idempotent on the letter's DLQ position and time, so a
 * redelivered batch stores nothing twice; a database failure leaves the batch uncommitted and it is
 * retried. A letter that cannot be recorded is logged and left in its topic, never dead-lettered again.
 */
@Controller()
export class DeadLettersConsumer {
  private readonly log = createLogger(DeadLettersConsumer.name);

  constructor(
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
    private readonly repository: DeadLettersRepository,
    consumers: ConsumerRegistry,
    dlq: DlqPublisher,
  ) {
    consumers.define({
      name: 'dead-letters consumer',
      health: 'dead-letters-consumer',
      groupId: `${settings.groupId}-dead-letters`,
      topics: [ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC],
      fromBeginning: true,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      poison: 'skip',
      dlq,
    });
  }

  @EventPattern([ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC])
  async handle(@Payload() batch: PartitionBatch): Promise<void> {
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
}
