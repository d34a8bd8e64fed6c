import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ESCALATION_EVENT_SCHEMA_VERSION, ESCALATIONS_TOPIC, escalationEventKey, SCHEMA_VERSION_HEADER, validateEscalationEvent, type EscalationEvent } from '@agent-ledger/contracts';
import { LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { ApiError, KAFKA } from '@agent-ledger/runtime';

/** Publishes escalation events from the API (manual, acknowledge, resolve) like the worker does. */
@Injectable()
export class EscalationsProducer implements OnApplicationShutdown {
  private readonly producer: LedgerProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LedgerProducer(kafka);
  }

  async publish(e: EscalationEvent): Promise<void> {
    const v = validateEscalationEvent(e);
    if (!v.ok) throw ApiError.validation(v.errors.map((x) => ({ field: x.pointer, code: x.code, message: x.message })));
    try {
      await this.producer.send(ESCALATIONS_TOPIC, [{ key: escalationEventKey(e.tenantId, e.sessionId), value: JSON.stringify(e), headers: { [SCHEMA_VERSION_HEADER]: ESCALATION_EVENT_SCHEMA_VERSION } }], { timeoutMs: 4_000 });
    } catch {
      throw ApiError.unavailable('kafka_unavailable', 'the escalations topic is unavailable; retry later', 2);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
