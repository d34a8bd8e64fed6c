import { isUtf8 } from 'node:buffer';
import type { FieldError, ValidationResult } from '../validation-result';
import { SCHEMA_VERSION_HEADER, TRACEPARENT_HEADER } from '../topics';

/**
 * What a codec produces: one Kafka message, ready for a producer (`LedgerProducer.send` takes it
 * as is). Header values are strings.
 */
export interface EncodedMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** What a codec reads: a consumed Kafka message (a kafkajs `KafkaMessage` fits). */
export interface IncomingMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/**
 * Why a message cannot be decoded. Each is a property of the message alone, so it fails the same
 * way on every delivery: dead-letter it, never retry it.
 * - `empty`: no value; `too_large`: the value exceeds what the topic's schema allows;
 * - `invalid_json`: the value is not UTF-8 JSON;
 * - `schema_version`: the schema header names another schema (or version);
 * - `schema`: the value breaks the contract (the reason lists each field by pointer and code).
 */
export type DecodeFailureCode = 'empty' | 'too_large' | 'invalid_json' | 'schema_version' | 'schema';

/** `reason` names fields and positions, never values (it travels in DLQ headers and logs). */
export type DecodeResult<T, M> = { ok: true; value: T; meta: M } | { ok: false; code: DecodeFailureCode; reason: string; errors?: FieldError[] };

/** Headers every topic's messages carry (the trace context also comes from the active span). */
export interface CommonMeta {
  /** Value of {@link SCHEMA_VERSION_HEADER}; absent on messages of producers that predate it. */
  schemaVersion?: string;
  traceparent?: string;
}

/** One topic's message format: key, headers, value schema, encode and decode. */
export interface TopicCodec<T, M extends CommonMeta> {
  readonly topic: string;
  /** Value of the {@link SCHEMA_VERSION_HEADER} header, e.g. `action-event.v1`. */
  readonly schemaVersion: string;
  /** The message key (the partitioning and ordering unit). */
  key(value: T): string;
  /** The contract of the value: what encode expects and decode enforces. */
  validate(value: unknown): ValidationResult<T>;
  /**
   * Serializes a value (already validated with {@link validate}: producers validate at their edge
   * and decide what an invalid value means there) into key, value and headers.
   */
  encode(value: T, meta?: Partial<M>): EncodedMessage;
  /** Parses and validates a consumed message. */
  decode(message: IncomingMessage): DecodeResult<T, M>;
}

/** Largest value any codec parses (the broker's default `message.max.bytes`); the schemas allow less. */
export const MAX_DECODED_VALUE_BYTES = 1_048_576;

/**
 * Bytes of messages one produce call carries at most: half the broker's default 1 MiB
 * `message.max.bytes`, which bounds the record batch of each partition (all the messages of a call
 * that share a partition). One event (at most 256 KiB plus headers) always fits.
 */
export const MAX_PRODUCE_BYTES = 512 * 1024;
/** Record and batch framing per message, counted generously. */
const RECORD_OVERHEAD = 96;

/** Estimated bytes of a message on the wire (key, value, headers, framing). */
export function encodedSize(m: EncodedMessage): number {
  let n = RECORD_OVERHEAD + Buffer.byteLength(m.key) + Buffer.byteLength(m.value);
  for (const [k, v] of Object.entries(m.headers)) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
  return n;
}

/**
 * Splits messages, in order, into groups of at most `maxBytes` each (a single larger message forms
 * its own group), so that each group can be one produce call the broker accepts.
 */
export function splitForProduce<M extends EncodedMessage>(messages: readonly M[], maxBytes = MAX_PRODUCE_BYTES): M[][] {
  const groups: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = encodedSize(m);
    if (current.length && bytes + size > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length) groups.push(current);
  return groups;
}

const UNSAFE_TEXT = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text safe for a header, a log line or a PostgreSQL text column: control characters and lone surrogates as `\uXXXX`. */
export function printable(s: string): string {
  return s.replace(UNSAFE_TEXT, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The first value of header `name` as text, or undefined. */
export function headerText(message: IncomingMessage, name: string): string | undefined {
  const raw = message.headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** The headers every message gets: the schema version, and the traceparent when known. */
export function commonHeaders(schemaVersion: string, traceparent: string | undefined): Record<string, string> {
  return { [SCHEMA_VERSION_HEADER]: schemaVersion, ...(traceparent ? { [TRACEPARENT_HEADER]: traceparent } : {}) };
}

export function commonMeta(message: IncomingMessage): CommonMeta {
  const meta: CommonMeta = {};
  const schemaVersion = headerText(message, SCHEMA_VERSION_HEADER);
  if (schemaVersion !== undefined) meta.schemaVersion = schemaVersion;
  const traceparent = headerText(message, TRACEPARENT_HEADER);
  if (traceparent !== undefined) meta.traceparent = traceparent;
  return meta;
}

/**
 * The decoding every topic shares: size, UTF-8 JSON, schema-version header, then `validate`.
 * Returns the validated value or why not; `meta` builds the topic's decoded headers.
 */
export function decodeWith<T, M extends CommonMeta>(
  message: IncomingMessage,
  spec: { schemaVersion: string; maxBytes: number; validate: (value: unknown, sourceBytes?: number) => ValidationResult<T>; meta: (message: IncomingMessage) => M },
): DecodeResult<T, M> {
  const raw = message.value;
  if (raw === null || raw === undefined || raw.length === 0) return { ok: false, code: 'empty', reason: 'empty message value' };
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.length;
  if (bytes > spec.maxBytes) return { ok: false, code: 'too_large', reason: `value is ${bytes} bytes, more than the ${spec.maxBytes} that ${spec.schemaVersion} allows` };
  const version = headerText(message, SCHEMA_VERSION_HEADER);
  if (version !== undefined && version !== spec.schemaVersion) {
    return { ok: false, code: 'schema_version', reason: `schema header is ${printable(version.slice(0, 100))}, expected ${spec.schemaVersion}` };
  }
  if (typeof raw !== 'string' && !isUtf8(raw)) return { ok: false, code: 'invalid_json', reason: 'value is not valid UTF-8' };
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8's message may quote a piece of the input (which may be PII): keep only the position.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    return { ok: false, code: 'invalid_json', reason: position === undefined ? 'invalid JSON' : `invalid JSON at position ${position}` };
  }
  const result = spec.validate(parsed, bytes);
  if (!result.ok) return { ok: false, code: 'schema', reason: schemaReason(spec.schemaVersion, result.errors), errors: result.errors };
  return { ok: true, value: result.value, meta: spec.meta(message) };
}

/** `schema <version>: <pointer> <code>: <message>; …` — messages name fields, never values. */
export function schemaReason(schemaVersion: string, errors: readonly FieldError[]): string {
  return printable(`schema ${schemaVersion}: ${errors.map((e) => `${e.pointer || '/'} ${e.code}: ${e.message}`).join('; ')}`);
}
