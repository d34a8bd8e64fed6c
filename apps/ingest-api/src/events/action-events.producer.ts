import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { actionEventsCodec, type ActionEvent } from '@agent-ledger/contracts';
import { CoalescingSender, LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { KAFKA } from '@agent-ledger/runtime';
import { withPublishSpans } from '@agent-ledger/telemetry';
import { actionEventSpanAttributes } from './action-event.span-attributes';
import { INGEST_SETTINGS, type IngestSettings } from './ingest.settings';

export interface PublishableEvent {
  /** A stored event validated with `validateActionEvent`. */
  event: ActionEvent;
  /** Pointers of what was redacted; travel in the `x-ledger-redacted` header. */
  redactedPaths: string[];
}

/**
 * Publishes stamped events to the action events topic (idempotent producer, acks=all), encoded by
 * `actionEventsCodec`. Concurrent requests share produce calls of at most 512 KiB (a 1 MiB body
 * whose events share one partition would otherwise be one record batch larger than the broker
 * accepts); a request's events stay in order. See `CoalescingSender` for the two bounds that keep a
 * Kafka outage from leaving a queue behind it.
 */
@Injectable()
export class ActionEventsProducer implements OnApplicationShutdown {
  private readonly producer: LedgerProducer;
  private readonly sender: CoalescingSender;

  constructor(@Inject(KAFKA) kafka: Kafka, @Inject(INGEST_SETTINGS) settings: IngestSettings) {
    this.producer = new LedgerProducer(kafka);
    this.sender = new CoalescingSender(this.producer, actionEventsCodec.topic, {
      maxPendingMessages: settings.maxPendingEvents,
      produceTimeoutMs: settings.publishTimeoutMs,
    });
  }

  /** Events queued or in flight to Kafka. */
  get pending(): number {
    return this.sender.pending;
  }

  /**
   * Resolves once Kafka acknowledged every event; rejects with SenderBusyError, SendTimeoutError or
   * Kafka's error. Each event is published in a span of its own (child of the request's, linked to
   * the agent's `traceparent` when the event names one) whose context travels in the message's
   * `traceparent` header: the consumers continue or link the trace of that one event, even when
   * concurrent requests share a produce call.
   */
  publish(events: PublishableEvent[], timeoutMs: number): Promise<void> {
    const spans = events.map(({ event }) => ({ attributes: actionEventSpanAttributes(event), linkTraceparent: event.traceparent }));
    return withPublishSpans(`${actionEventsCodec.topic} send`, spans, (traceparents) =>
      this.sender.send(
        events.map(({ event, redactedPaths }, i) => actionEventsCodec.encode(event, { redactedPaths, traceparent: traceparents[i] })),
        timeoutMs,
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
