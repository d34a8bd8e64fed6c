import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ESCALATION_EVENT_SCHEMA_VERSION, ESCALATIONS_TOPIC, escalationEventKey, SCHEMA_VERSION_HEADER, validateEscalationEvent, type EscalationEvent } from '@agent-ledger/contracts';
import { LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { KAFKA } from '@agent-ledger/runtime';

/** Publishes escalation events (validated) to the escalations topic, keyed by tenant and session. */
@Injectable()
export class EscalationProducer implements OnApplicationShutdown {
  private readonly producer: LedgerProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LedgerProducer(kafka);
  }

  async publish(events: EscalationEvent[]): Promise<void> {
    for (const e of events) {
      const v = validateEscalationEvent(e);
      if (!v.ok) throw new Error(`invalid ${e.type}: ${v.errors.map((x) => `${x.pointer} ${x.message}`).join('; ')}`);
    }
    await this.producer.send(
      ESCALATIONS_TOPIC,
      events.map((e) => ({ key: escalationEventKey(e.tenantId, e.sessionId), value: JSON.stringify(e), headers: { [SCHEMA_VERSION_HEADER]: ESCALATION_EVENT_SCHEMA_VERSION } })),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
