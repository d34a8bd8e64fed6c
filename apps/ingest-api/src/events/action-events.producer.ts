import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { actionEventsCodec, splitForProduce, type ActionEvent } from '@agent-ledger/contracts';
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

  /**
   * Resolves once Kafka acknowledged every message; rejects if any was not. A request's events are
   * sent in order, in produce calls of at most 512 KiB (`splitForProduce`): a 1 MiB body whose events
   * share one partition would otherwise be one record batch larger than the broker accepts.
   */
  async publish(events: PublishableEvent[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const messages = events.map(({ event, redactedPaths }) => actionEventsCodec.encode(event, { redactedPaths }));
    for (const group of splitForProduce(messages)) {
      await this.producer.send(actionEventsCodec.topic, group, { timeoutMs: Math.max(1, deadline - Date.now()) });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
