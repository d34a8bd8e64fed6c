import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';

/** One server-sent event (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
export interface ServerSentEvent {
  /** `event:` field; "message" when absent. */
  event: string;
  data: string;
  /** `id:` field of this event, if it had one. */
  id?: string;
}

/**
 * Incremental reader of a `text/event-stream` body: feed it chunks as they arrive (bytes or text),
 * it returns the complete events. The parsing is eventsource-parser's; this class adds the UTF-8
 * decoding of byte chunks (a character may be split between chunks), the "message" default of the
 * event name, {@link lastEventId} kept across events for Last-Event-ID, and the `retry:` delay in
 * {@link retryMs}. Comments (`: …`, used as heartbeats) and unknown fields are skipped.
 */
export class SseParser {
  lastEventId: string | undefined;
  retryMs: number | undefined;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly parser: EventSourceParser;
  private pending: ServerSentEvent[] = [];

  constructor() {
    this.parser = createParser({
      onEvent: (message) => this.pending.push(this.toEvent(message)),
      onRetry: (ms) => {
        this.retryMs = ms;
      },
    });
  }

  feed(chunk: Uint8Array | string): ServerSentEvent[] {
    this.parser.feed(typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    const events = this.pending;
    this.pending = [];
    return events;
  }

  private toEvent(message: EventSourceMessage): ServerSentEvent {
    if (message.id !== undefined) this.lastEventId = message.id;
    return { event: message.event || 'message', data: message.data, ...(message.id !== undefined ? { id: message.id } : {}) };
  }
}
