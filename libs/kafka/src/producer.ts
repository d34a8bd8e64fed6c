import { CompressionTypes, type Kafka, type Producer, type IHeaders } from 'kafkajs';
import { injectTraceHeaders } from '@agent-ledger/telemetry';

export interface OutgoingMessage {
  key: string;
  /** null only for a dead letter whose value was too large to travel. */
  value: string | Buffer | null;
  headers?: Record<string, string>;
  partition?: number;
}

/**
 * An idempotent producer with acks=all: a send resolves only once every in-sync replica has the
 * messages, and retries never duplicate them. The active W3C trace context is added to headers.
 */
export class LedgerProducer {
  private readonly producer: Producer;
  private connected = false;
  private connecting?: Promise<void>;

  constructor(kafka: Kafka, private readonly opts: { transactionalId?: string } = {}) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      transactionalId: opts.transactionalId,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    this.producer.on('producer.disconnect', () => {
      this.connected = false;
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connecting ??= this.producer.connect().then(
      () => {
        this.connected = true;
        this.connecting = undefined;
      },
      (err) => {
        this.connecting = undefined;
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
    await this.producer.send({
      topic,
      acks: -1,
      timeout: opts.timeoutMs ?? 10_000,
      compression: CompressionTypes.None,
      messages: messages.map((m) => ({
        key: m.key,
        value: m.value,
        partition: m.partition,
        headers: injectTraceHeaders({ ...(m.headers ?? {}) }) as IHeaders,
      })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    this.connected = false;
  }
}
