import type { ConnectionOptions } from 'node:tls';
import {
  ACTION_EVENTS_TOPIC,
  actionEventsCodec,
  redactEvent,
  splitForProduce,
  stampActionEvent,
  type ActionEvent,
  type ActionEventInput,
  type FieldError,
  type ProducerStamp,
} from '@agent-ledger/contracts';
import { EventRecorder } from './event-recorder';
import { LedgerError, LedgerErrorCode } from './ledger-error';
import type { LedgerEventInput, RecordOptions } from './ledger-events';
import { prepareEvent, unstamped } from './prepare-event';

/** A stored event this producer stamped from a producer's input (so of a producer's type), as errors report events. */
const asInput = (event: ActionEvent): ActionEventInput => event as ActionEventInput;

// The shapes of kafkajs this producer uses, so that the SDK's types do not require kafkajs (an
// optional peer dependency needed only for this mode). A kafkajs `Kafka` instance satisfies them.

export interface KafkaProducerRecordLike {
  topic: string;
  acks?: number;
  timeout?: number;
  messages: { key: string; value: string; headers?: Record<string, string> }[];
}

export interface KafkaProducerLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: KafkaProducerRecordLike): Promise<unknown>;
}

export interface KafkaLike {
  producer(config?: {
    idempotent?: boolean;
    maxInFlightRequests?: number;
    allowAutoTopicCreation?: boolean;
    retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
  }): KafkaProducerLike;
}

/**
 * Node.js TLS options for the Kafka connection (`tls.ConnectionOptions`), stated structurally so the
 * published declarations need no `@types/node`: PEM strings or bytes (a Buffer is a Uint8Array), and
 * any further option of `tls.connect`.
 */
export interface LedgerKafkaTlsOptions {
  ca?: string | Uint8Array | (string | Uint8Array)[];
  cert?: string | Uint8Array | (string | Uint8Array)[];
  key?: string | Uint8Array | (string | Uint8Array)[];
  passphrase?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
  [option: string]: unknown;
}

/** SASL credentials in kafkajs' shape (`KafkaConfig.sasl`). */
export type LedgerKafkaSasl = { [M in 'plain' | 'scram-sha-256' | 'scram-sha-512']: { mechanism: M; username: string; password: string } }[
  'plain' | 'scram-sha-256' | 'scram-sha-512'
];

export interface LedgerKafkaProducerOptions {
  /** A kafkajs `Kafka` instance; or give `brokers` and the producer creates one (kafkajs must be installed). */
  kafka?: KafkaLike;
  /** Broker addresses, e.g. `['127.0.0.1:9092']`, when no `kafka` instance is given. */
  brokers?: string[];
  /** kafkajs client id when created from `brokers`. Default `agent-ledger-sdk`. */
  clientId?: string;
  /**
   * TLS when created from `brokers`: `true` (the system's trust store) or Node.js TLS options, e.g.
   * `{ ca: [caPem] }`, plus `cert` and `key` for brokers that require a client certificate.
   */
  ssl?: boolean | LedgerKafkaTlsOptions;
  /** SASL when created from `brokers` (PLAIN only over `ssl`: it sends the password as is). */
  sasl?: LedgerKafkaSasl;
  /** The tenant (a lowercase UUID) every event is stamped with. Trusted: see the README. */
  tenantId: string;
  /** Key patterns redacted in addition to the defaults of `@agent-ledger/contracts` (password, secret, token…). */
  redactionPatterns?: string[];
  /** How long the broker may take to acknowledge a send (all in-sync replicas). Default 10,000 ms. */
  timeoutMs?: number;
  /** kafkajs producer retries of a failed send. Default 5. */
  retries?: number;
  /**
   * Stamp each event with `producer: { id, seq }` (this producer's id and its sequence number, from 1
   * without holes) so that the ledger accounts for lost events. Default true.
   */
  producerStamp?: boolean;
}

const SASL_MECHANISMS: readonly string[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Direct mode: produces action events straight to `agent-ledger.action-events.v1` for services that
 * already speak Kafka, doing locally what ingest-api does for HTTP: validate against the intake
 * contract (schema v1, text rules, depth, date range, sizes — `validateActionEventInput`), redact
 * secrets, stamp `eventId`, `tenantId`, `occurredAt` and `receivedAt`, validate the stored form
 * (`validateActionEvent`), and produce with the topic's codec (`actionEventsCodec`: keyed
 * `tenantId:actionId`, schema, traceparent and redacted-paths headers) with an idempotent producer
 * and `acks=-1` (all in-sync replicas). Each `record()` resolves once the broker acknowledged the
 * event.
 *
 * Unlike HTTP, where the tenant comes from the API key, this mode trusts the producer with its
 * `tenantId`: only give brokers' network access to services that may write for that tenant.
 */
export class LedgerKafkaProducer extends EventRecorder {
  private readonly tenantId: string;
  private readonly redactionPatterns: readonly string[];
  private readonly timeoutMs: number;
  private readonly retries: number;
  private connecting?: Promise<KafkaProducerLike>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: LedgerKafkaProducerOptions) {
    super(options?.producerStamp ?? true);
    if (!options || typeof options.tenantId !== 'string' || !LOWERCASE_UUID.test(options.tenantId)) {
      throw new TypeError('LedgerKafkaProducer: tenantId must be a lowercase UUID');
    }
    if (!options.kafka && !options.brokers?.length) throw new TypeError('LedgerKafkaProducer: give a kafkajs Kafka instance or brokers');
    if (options.kafka && (options.ssl !== undefined || options.sasl !== undefined)) {
      throw new TypeError('LedgerKafkaProducer: ssl and sasl apply to a client created from brokers; configure them on the given Kafka instance');
    }
    if (options.sasl && !SASL_MECHANISMS.includes(options.sasl.mechanism)) {
      throw new TypeError(`LedgerKafkaProducer: sasl.mechanism must be one of ${SASL_MECHANISMS.join(', ')}`);
    }
    this.tenantId = options.tenantId;
    this.redactionPatterns = options.redactionPatterns ?? [];
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 5;
  }

  /** Connects the producer; optional, `record()` connects on first use. */
  async connect(): Promise<void> {
    await this.producer();
  }

  /**
   * Validates, redacts, stamps and produces one event; resolves to its `eventId` once the broker
   * acknowledged it. `options.send` is ignored: direct mode always waits for the acknowledgement.
   * @throws LedgerError `invalid_event` (nothing produced) or `kafka_error`.
   */
  async record(event: LedgerEventInput, _options?: RecordOptions): Promise<string> {
    const [stored] = await this.recordMany([event]);
    return stored.eventId;
  }

  /**
   * Produces several events (in sends of at most 512 KiB). All are validated first: if one is invalid, none is sent
   * (pointers are prefixed `/events/<index>`) and no sequence number is consumed. Resolves to the stored events as produced.
   */
  async recordMany(events: LedgerEventInput[]): Promise<ActionEvent[]> {
    if (this.closed) throw new LedgerError({ code: LedgerErrorCode.ClientClosed, message: 'the LedgerKafkaProducer is closed' });
    const receivedAt = new Date();
    let stamps = 0;
    const prepared = events.map((e, i) => {
      const p = this.toStoredEvent(e, receivedAt, events.length > 1 ? `/events/${i}` : '', this.sequence?.peek(stamps));
      if (p.stamped) stamps++;
      return p;
    });
    // Every event is valid: their numbers are consumed (a failed send keeps them; sent again, the events keep their stamps).
    this.sequence?.take(stamps);
    const stored = prepared.map((p) => p.event);
    const sending = this.produce(prepared);
    this.inFlight.add(sending);
    try {
      await sending;
    } finally {
      this.inFlight.delete(sending);
    }
    return stored;
  }

  /** Resolves when every send started so far has settled (each `record()` reports its own failure). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Waits for sends in flight, then disconnects the producer. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    const connecting = this.connecting;
    this.connecting = undefined;
    if (connecting) await (await connecting.catch(() => undefined))?.disconnect();
  }

  private toStoredEvent(
    input: LedgerEventInput,
    receivedAt: Date,
    pointerPrefix: string,
    producer: ProducerStamp | undefined,
  ): { event: ActionEvent; redactedPaths: string[]; stamped: boolean } {
    let stamped = false;
    const invalid = (fields: readonly FieldError[], event: ActionEventInput) =>
      new LedgerError({
        code: LedgerErrorCode.InvalidEvent,
        message: `invalid event${pointerPrefix ? ` at ${pointerPrefix}` : ''}: ${fields.map((f) => f.message).join('; ')}`,
        fields: fields.map((f) => ({ ...f, pointer: `${pointerPrefix}${f.pointer}` })),
        // Refused: its number is not consumed, so the reported event carries no stamp.
        events: [stamped ? unstamped(event) : event],
      });

    const prepared = (() => {
      try {
        return prepareEvent(input, { now: receivedAt, validate: true, producer });
      } catch (err) {
        if (err instanceof LedgerError) throw invalid(err.fields, err.events[0] ?? (input as ActionEventInput));
        throw err;
      }
    })();
    stamped = prepared.stamped;
    const { event: redacted, redactedPaths } = redactEvent(prepared.event, this.redactionPatterns);
    const stored = stampActionEvent(redacted, { tenantId: this.tenantId, receivedAt: receivedAt.toISOString() });
    // The same check ingest makes after redaction: the stored event must fit its size limit.
    const result = actionEventsCodec.validate(stored);
    if (!result.ok) throw invalid(result.errors, asInput(stored));
    return { event: result.value, redactedPaths, stamped };
  }

  private async produce(prepared: { event: ActionEvent; redactedPaths: string[] }[]): Promise<void> {
    const events = prepared.map((p) => asInput(p.event));
    try {
      const producer = await this.producer();
      // In order, in sends of at most 512 KiB: the messages of one partition travel as one record
      // batch, which the broker refuses beyond its message.max.bytes.
      for (const messages of splitForProduce(prepared.map(({ event, redactedPaths }) => actionEventsCodec.encode(event, { redactedPaths })))) {
        await producer.send({ topic: actionEventsCodec.topic, acks: -1, timeout: this.timeoutMs, messages });
      }
    } catch (err) {
      if (err instanceof LedgerError) throw err.with({ events });
      const e = err as Error & { retriable?: boolean };
      throw new LedgerError({
        code: LedgerErrorCode.KafkaError,
        message: `producing to ${ACTION_EVENTS_TOPIC} failed: ${e?.message ?? String(err)}`,
        retryable: e?.retriable ?? true,
        events,
        cause: err,
      });
    }
  }

  private producer(): Promise<KafkaProducerLike> {
    this.connecting ??= (async () => {
      const { brokers = [], clientId = 'agent-ledger-sdk', ssl, sasl } = this.options;
      const kafka = this.options.kafka ?? (await kafkaFromBrokers({ brokers, clientId, ssl, sasl }));
      const producer = kafka.producer({
        // Idempotent with one request in flight: broker-side retries never duplicate or reorder.
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Bounded so that a send fails instead of hanging while the broker is down; the caller may
        // send the same events again (same eventIds, deduplicated by the projector).
        retry: { retries: this.retries, initialRetryTime: 200, maxRetryTime: 5_000 },
      });
      await producer.connect();
      return producer;
    })().catch((err) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }
}

/** Creates a kafkajs client; kafkajs is loaded only here, so HTTP-only users need not install it. */
async function kafkaFromBrokers(config: { brokers: string[]; clientId: string; ssl?: boolean | LedgerKafkaTlsOptions; sasl?: LedgerKafkaSasl }): Promise<KafkaLike> {
  let kafkajs: typeof import('kafkajs');
  try {
    kafkajs = await import('kafkajs');
  } catch (err) {
    throw new LedgerError({
      code: LedgerErrorCode.KafkaNotInstalled,
      message: 'LedgerKafkaProducer needs the optional peer dependency kafkajs (npm install kafkajs), or pass a Kafka instance',
      cause: err,
    });
  }
  const { clientId, brokers, ssl, sasl } = config;
  return new kafkajs.Kafka({ clientId, brokers, logLevel: kafkajs.logLevel.WARN, ...(ssl !== undefined ? { ssl: ssl as boolean | ConnectionOptions } : {}), ...(sasl ? { sasl } : {}) });
}
