import { CompressionTypes, type Kafka, type Producer, type IHeaders } from 'kafkajs';
import { createLogger, injectTraceHeaders } from '@agent-ledger/telemetry';

export interface OutgoingMessage {
  key: string;
  /** null only for a dead letter whose value was too large to travel. */
  value: string | Buffer | null;
  headers?: Record<string, string>;
  partition?: number;
}

/**
 * Errors after which the broker no longer accepts this producer id's sequence numbers (a broker
 * restarted or lost the producer's state, kafkajs issue 598): every later send would fail the same
 * way until the producer is replaced by one with a new producer id.
 */
const PRODUCER_STATE_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/** True when `err`, or an error it wraps, says the broker lost this producer's idempotence state. */
export function producerStateLost(err: unknown): boolean {
  for (let e = err as { type?: unknown; originalError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth += 1) {
    if (typeof e.type === 'string' && PRODUCER_STATE_LOST.has(e.type)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * An idempotent producer with acks=all: a send resolves only once every in-sync replica has the
 * messages, and retries never duplicate them. The active W3C trace context is added to the headers
 * of a message that carries none.
 * When the broker has lost the producer's sequence state, the failed send is reported and the
 * producer replaced, so the next send (the caller's retry) goes out under a new producer id.
 */
export class LedgerProducer {
  private producer: Producer;
  private connected = false;
  private connecting?: Promise<void>;

  /** Producers replaced after the broker lost their sequence state. */
  replacements = 0;

  constructor(private readonly kafka: Kafka, private readonly opts: { transactionalId?: string } = {}) {
    this.producer = this.create();
  }

  private create(): Producer {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      transactionalId: this.opts.transactionalId,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    producer.on('producer.disconnect', () => {
      if (producer === this.producer) this.connected = false;
    });
    return producer;
  }

  /** Replaces `failed` (once, whoever notices first) by a new producer; the old one is closed in the background. */
  private replace(failed: Producer): void {
    if (failed !== this.producer) return;
    this.replacements += 1;
    createLogger(LedgerProducer.name).warn({ replacements: this.replacements }, 'the broker lost this producer\'s sequence state; continuing with a new producer id');
    this.producer = this.create();
    this.connected = false;
    this.connecting = undefined;
    failed.disconnect().catch(() => undefined);
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    const producer = this.producer;
    this.connecting ??= producer.connect().then(
      () => {
        if (producer !== this.producer) return;
        this.connected = true;
        this.connecting = undefined;
      },
      (err) => {
        if (producer === this.producer) this.connecting = undefined;
        throw err;
      },
    );
    return this.connecting;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Sends all messages to one topic; resolves after the broker acknowledged all of them (acks=all). */
  async send(topic: string, messages: OutgoingMessage[], opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!messages.length) return;
    await this.connect();
    const producer = this.producer;
    await producer.send({
      topic,
      acks: -1,
      timeout: opts.timeoutMs ?? 10_000,
      compression: CompressionTypes.None,
      messages: messages.map((m) => ({
        key: m.key,
        value: m.value,
        partition: m.partition,
        // A message that names its trace context keeps it (e.g. one span per event at ingest); the others get the active one.
        headers: (m.headers?.traceparent ? { ...m.headers } : injectTraceHeaders({ ...(m.headers ?? {}) })) as IHeaders,
      })),
    }).catch((err: unknown) => {
      if (producerStateLost(err)) this.replace(producer);
      throw err;
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    this.connected = false;
  }
}
