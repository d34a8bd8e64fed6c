import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { actionEventsCodec, type ActionEvent } from '@agent-ledger/contracts';
import { LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { KAFKA } from '@agent-ledger/runtime';

export interface PublishableEvent {
  /** A stored event validated with `validateActionEvent`. */
  event: ActionEvent;
  /** Pointers of what was redacted; travel in the `x-ledger-redacted` header. */
  redactedPaths: string[];
}

/** Publishes stamped events to the action events topic (idempotent producer, acks=all), encoded by `actionEventsCodec`. */
@Injectable()
export class ActionEventsProducer implements OnApplicationShutdown {
  private readonly producer: LedgerProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LedgerProducer(kafka);
  }

  /** Resolves once Kafka acknowledged every message; rejects if any was not. */
  async publish(events: PublishableEvent[], timeoutMs: number): Promise<void> {
    await this.producer.send(
      actionEventsCodec.topic,
      events.map(({ event, redactedPaths }) => actionEventsCodec.encode(event, { redactedPaths })),
      { timeoutMs },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
