import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ESCALATIONS_TOPIC, escalationsCodec, type EscalationEvent } from '@agent-ledger/contracts';
import { DlqPublisher, decodeMessage, type ConsumerBatch, type Rejection } from '@agent-ledger/kafka';
import { ConsumerRegistry } from '@agent-ledger/runtime';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { EscalationsRepository } from './escalations.repository';

/**
 * Persists the escalations topic (the database has one writer), hosted by the Kafka consumer transport (a ConsumerHost): a
 * slice is applied in one transaction, idempotently by event id, and committed to Kafka after. An
 * unreadable or invalid message is dead-lettered before the rest is applied; one PostgreSQL refuses
 * (e.g. a NUL in a note) fails the transaction, and the host isolates and dead-letters it.
 */
@Controller()
export class EscalationsConsumer {
  constructor(
    @Inject(PROJECTOR_SETTINGS) settings: ProjectorSettings,
    private readonly repository: EscalationsRepository,
    consumers: ConsumerRegistry,
    dlq: DlqPublisher,
  ) {
    consumers.define({
      name: 'escalations consumer',
      health: 'escalations-consumer',
      groupId: `${settings.groupId}-escalations`,
      topics: [ESCALATIONS_TOPIC],
      fromBeginning: true,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      dlq,
    });
  }

  @EventPattern(ESCALATIONS_TOPIC)
  async handle(@Payload() batch: ConsumerBatch): Promise<void> {
    const events: EscalationEvent[] = [];
    const rejected: Rejection[] = [];
    for (const m of batch.messages) {
      const r = decodeMessage(m, escalationsCodec);
      if ('value' in r) events.push(r.value);
      else rejected.push(r);
    }
    if (rejected.length) await batch.deadLetter(rejected);
    if (events.length) await this.repository.apply(events);
  }
}
