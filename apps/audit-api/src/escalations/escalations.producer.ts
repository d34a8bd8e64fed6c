import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { escalationsCodec, type EscalationEvent } from '@agent-ledger/contracts';
import { LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { ApiError, KAFKA } from '@agent-ledger/runtime';

/** Publishes escalation events from the API (manual, acknowledge, resolve) like the worker does, encoded by `escalationsCodec`. */
@Injectable()
export class EscalationsProducer implements OnApplicationShutdown {
  private readonly producer: LedgerProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LedgerProducer(kafka);
  }

  /** Validates against the escalation contract (400 naming each field) and publishes; 503 when Kafka does not acknowledge. */
  async publish(e: EscalationEvent): Promise<void> {
    const v = escalationsCodec.validate(e);
    if (!v.ok) throw ApiError.validation(v.errors.map((x) => ({ field: x.pointer, code: x.code, message: x.message })));
    try {
      await this.producer.send(escalationsCodec.topic, [escalationsCodec.encode(v.value)], { timeoutMs: 4_000 });
    } catch {
      throw ApiError.unavailable('kafka_unavailable', 'the escalations topic is unavailable; retry later', 2);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
