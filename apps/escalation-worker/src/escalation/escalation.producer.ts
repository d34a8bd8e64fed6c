import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { escalationsCodec, splitForProduce, type EscalationEvent } from '@agent-ledger/contracts';
import { LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { KAFKA } from '@agent-ledger/runtime';

/** Publishes escalation events (validated) to the escalations topic, encoded by `escalationsCodec` (keyed by tenant and session). */
@Injectable()
export class EscalationProducer implements OnApplicationShutdown {
  private readonly producer: LedgerProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LedgerProducer(kafka);
  }

  /** Throws before sending anything when one event breaks the contract (a defect of the worker, never of the input). */
  async publish(events: EscalationEvent[]): Promise<void> {
    for (const e of events) {
      const v = escalationsCodec.validate(e);
      if (!v.ok) throw new Error(`invalid ${e.type}: ${v.errors.map((x) => `${x.pointer} ${x.message}`).join('; ')}`);
    }
    for (const group of splitForProduce(events.map((e) => escalationsCodec.encode(e)))) await this.producer.send(escalationsCodec.topic, group);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
