import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ESCALATIONS_TOPIC, escalationsCodec, type EscalationEvent } from '@agent-ledger/contracts';
import { ConsumerHost, DlqPublisher, decodeMessage, type ConsumerBatch, type Kafka, type Rejection } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { EscalationsRepository } from './escalations.repository';

/**
 * Persists the escalations topic (the database has one writer), hosted by {@link ConsumerHost}: a
 * slice is applied in one transaction, idempotently by event id, and committed to Kafka after. An
 * unreadable or invalid message is dead-lettered before the rest is applied; one PostgreSQL refuses
 * (e.g. a NUL in a note) fails the transaction, and the host isolates and dead-letters it.
 */
@Injectable()
export class EscalationsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly host: ConsumerHost;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(PROJECTOR_SETTINGS) settings: ProjectorSettings,
    private readonly repository: EscalationsRepository,
    private readonly readiness: ReadinessService,
    dlq: DlqPublisher,
  ) {
    this.host = new ConsumerHost(kafka, {
      name: 'escalations consumer',
      groupId: `${settings.groupId}-escalations`,
      topics: [ESCALATIONS_TOPIC],
      fromBeginning: true,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      dlq,
      handle: (batch) => this.handle(batch),
    });
  }

  onApplicationBootstrap(): void {
    this.readiness.registerWorker('escalations-consumer', this.host);
    this.host.start();
  }

  private async handle(batch: ConsumerBatch): Promise<void> {
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

  async onModuleDestroy(): Promise<void> {
    await this.host.stop();
  }
}
