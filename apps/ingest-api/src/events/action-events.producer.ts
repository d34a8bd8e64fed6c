import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ACTION_EVENT_SCHEMA_VERSION, ACTION_EVENTS_TOPIC, actionEventKey, SCHEMA_VERSION_HEADER, type ActionEvent } from '@agent-ledger/contracts';
import { LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { KAFKA } from '@agent-ledger/runtime';

/** Header listing the JSON pointers ingest redacted (comma-separated), for audit. */
export const REDACTED_PATHS_HEADER = 'x-ledger-redacted';

export interface PublishableEvent {
  event: ActionEvent;
  redactedPaths: string[];
}

/** Publishes stamped events to the action events topic (idempotent producer, acks=all). */
@Injectable()
export class ActionEventsProducer implements OnApplicationShutdown {
  private readonly producer: LedgerProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LedgerProducer(kafka);
  }

  /** Resolves once Kafka acknowledged every message; rejects if any was not. */
  async publish(events: PublishableEvent[], timeoutMs: number): Promise<void> {
    await this.producer.send(
      ACTION_EVENTS_TOPIC,
      events.map(({ event, redactedPaths }) => ({
        key: actionEventKey(event.tenantId, event),
        value: JSON.stringify(event),
        headers: {
          [SCHEMA_VERSION_HEADER]: ACTION_EVENT_SCHEMA_VERSION,
          ...(redactedPaths.length ? { [REDACTED_PATHS_HEADER]: redactedPaths.join(',') } : {}),
        },
      })),
      { timeoutMs },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
