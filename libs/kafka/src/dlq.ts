import {
  DLQ_AT_HEADER,
  DLQ_CODE_HEADER,
  DLQ_ERROR_CLASS_HEADER,
  DLQ_GROUP_HEADER,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_OFFSET_HEADER,
  DLQ_SOURCE_PARTITION_HEADER,
  DLQ_SOURCE_TOPIC_HEADER,
  DLQ_TENANT_HEADER,
  DLQ_TOPIC_OF,
  DLQ_VALUE_OMITTED_HEADER,
} from '@agent-ledger/contracts';
import { counter, createLogger } from '@agent-ledger/telemetry';
import type { KafkaMessage } from 'kafkajs';
import type { LedgerProducer, OutgoingMessage } from './producer';

/**
 * Why a message is dead-lettered: `invalid` — refused before it was applied (unreadable, schema,
 * unknown tenant); `data` — applying it failed with a data error; `unknown` — applying it alone kept
 * failing with an unclassified error after bounded retries.
 */
export type DeadLetterClass = 'invalid' | 'data' | 'unknown';

export interface DeadLetter {
  /** Where the message was read. */
  topic: string;
  partition: number;
  message: KafkaMessage;
  reason: string;
  /** Short machine-readable reason (metric label); defaults to the text before ':' in `reason`. */
  code?: string;
  errorClass?: DeadLetterClass;
  /** The consumer group that could not apply it (defaults to the publisher's). */
  group?: string;
}

export interface DlqPublisherOptions {
  /** Send every letter here instead of the source topic's dead-letter topic ({@link DLQ_TOPIC_OF}). */
  dlqTopic?: string;
  /** The consumer group named in letters that do not name one. */
  group?: string;
  /** The broker's message.max.bytes (default 1 MiB). Each produce request stays under half of it. */
  maxMessageBytes?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
const MAX_REASON = 2_000;
const MAX_COPIED_HEADER = 4_096;
/** Record and record-batch framing, counted generously. */
const RECORD_OVERHEAD = 96;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

const deadLetters = () => counter('ledger_dead_letters_total', 'Messages sent to a dead-letter topic', ['group', 'topic', 'code']);

/** The tenant a message names: its value's `tenantId`, else the key's prefix before ':' (when a uuid). */
export function tenantOf(message: Pick<KafkaMessage, 'key' | 'value'>): string | undefined {
  if (message.value && message.value.length <= DEFAULT_MAX_MESSAGE_BYTES * 4) {
    try {
      const v = JSON.parse(message.value.toString('utf8')) as { tenantId?: unknown } | null;
      if (v && typeof v.tenantId === 'string' && UUID.test(v.tenantId)) return v.tenantId.toLowerCase();
    } catch {
      // not JSON: the key may still name it
    }
  }
  const prefix = message.key?.toString('utf8').split(':')[0];
  return prefix && UUID.test(prefix) ? prefix.toLowerCase() : undefined;
}

/** Estimated bytes of a record on the wire (key, value, headers, framing). */
export function recordSize(m: OutgoingMessage): number {
  let n = RECORD_OVERHEAD + Buffer.byteLength(m.key) + (m.value === null ? 0 : Buffer.byteLength(m.value));
  for (const [k, v] of Object.entries(m.headers ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
  return n;
}

/** The DLQ record of a letter; its value is left out (and its size named) when the record would exceed `maxRecordBytes`. */
export function toDlqRecord(letter: DeadLetter, opts: { group: string; maxRecordBytes: number; now?: Date }): DlqRecord {
  const { message } = letter;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    if (v === undefined || k.startsWith('x-ledger-dlq-')) continue;
    headers[k] = ((Array.isArray(v) ? v[0] : v)?.toString() ?? '').slice(0, MAX_COPIED_HEADER);
  }
  const code = letter.code ?? (/^([a-z_]+):/.exec(letter.reason)?.[1] || 'data_error');
  headers[DLQ_REASON_HEADER] = letter.reason.slice(0, MAX_REASON);
  headers[DLQ_CODE_HEADER] = code;
  headers[DLQ_ERROR_CLASS_HEADER] = letter.errorClass ?? 'invalid';
  headers[DLQ_GROUP_HEADER] = letter.group ?? opts.group;
  headers[DLQ_SOURCE_TOPIC_HEADER] = letter.topic;
  headers[DLQ_SOURCE_PARTITION_HEADER] = String(letter.partition);
  headers[DLQ_SOURCE_OFFSET_HEADER] = message.offset;
  headers[DLQ_AT_HEADER] = (opts.now ?? new Date()).toISOString();
  const tenant = tenantOf(message);
  if (tenant) headers[DLQ_TENANT_HEADER] = tenant;
  const record: OutgoingMessage = { key: message.key?.toString('utf8') ?? '', value: message.value ?? Buffer.alloc(0), headers };
  if (recordSize(record) > opts.maxRecordBytes) return withoutValue({ record, code, group: headers[DLQ_GROUP_HEADER], source: letter.topic });
  return { record, code, group: headers[DLQ_GROUP_HEADER], source: letter.topic };
}

export interface DlqRecord {
  record: OutgoingMessage;
  code: string;
  group: string;
  source: string;
}

function withoutValue(r: DlqRecord): DlqRecord {
  const size = r.record.value === null ? 0 : Buffer.byteLength(r.record.value);
  const headers = { ...r.record.headers, [DLQ_VALUE_OMITTED_HEADER]: String(size) };
  return { ...r, record: { ...r.record, value: null, headers } };
}

/** Only the ledger's own headers, for a record the broker refused even without its value. */
function bare(r: DlqRecord): DlqRecord {
  const headers = Object.fromEntries(Object.entries(r.record.headers ?? {}).filter(([k]) => k.startsWith('x-ledger-dlq-')));
  headers[DLQ_REASON_HEADER] = headers[DLQ_REASON_HEADER]?.slice(0, 200) ?? '';
  return { ...r, record: { key: r.record.key.slice(0, 200), value: null, headers } };
}

/** Splits records into produce requests of at most `maxRequestBytes` each (a larger single record travels alone). */
export function splitIntoRequests<T extends OutgoingMessage>(records: T[], maxRequestBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const r of records) {
    const n = recordSize(r);
    if (current.length && size + n > maxRequestBytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += n;
  }
  if (current.length) out.push(current);
  return out;
}

function isTooLarge(err: unknown): boolean {
  const queue: unknown[] = [err];
  const seen = new Set<unknown>();
  while (queue.length) {
    const e = queue.shift() as { type?: unknown; message?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown } | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (typeof e.type === 'string' && TOO_LARGE.has(e.type)) return true;
    if (typeof e.message === 'string' && /larger than the max message size|record list too large/i.test(e.message)) return true;
    queue.push(e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : []));
  }
  return false;
}

/**
 * The one way messages reach a dead-letter topic: each letter carries the original key, value and
 * headers plus the reason, code, error class, group, source position, time and tenant; produce
 * requests are split to stay well under the broker's size limit, and a letter too large to travel
 * whole goes without its value (its size in {@link DLQ_VALUE_OMITTED_HEADER}; the source position
 * is the reference). A request the broker still refuses as too large is split again, down to a
 * single bare letter: a size problem never stops a partition. Other failures (broker away) throw,
 * and the caller retries without skipping anything.
 */
export class DlqPublisher {
  private readonly log = createLogger(DlqPublisher.name);
  private readonly opts: DlqPublisherOptions;
  private readonly maxRequestBytes: number;

  constructor(private readonly producer: LedgerProducer, opts: DlqPublisherOptions | string = {}) {
    this.opts = typeof opts === 'string' ? { dlqTopic: opts } : opts;
    this.maxRequestBytes = Math.floor((this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES) / 2);
  }

  /** The dead-letter topic of a source topic. */
  topicFor(source: string): string {
    const topic = this.opts.dlqTopic ?? DLQ_TOPIC_OF[source];
    if (!topic) throw new Error(`no dead-letter topic is defined for ${source}`);
    return topic;
  }

  async publish(letters: DeadLetter[]): Promise<void> {
    if (!letters.length) return;
    const group = this.opts.group ?? 'unknown';
    const now = new Date();
    const byTopic = new Map<string, DlqRecord[]>();
    for (const l of letters) {
      const r = toDlqRecord(l, { group, maxRecordBytes: this.maxRequestBytes, now });
      const topic = this.topicFor(l.topic);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), r]);
    }
    for (const [topic, records] of byTopic) {
      for (const chunk of splitIntoRequests(records.map((r) => ({ ...r.record, meta: r })), this.maxRequestBytes)) {
        await this.send(topic, chunk.map((c) => c.meta));
      }
    }
  }

  private async send(topic: string, records: DlqRecord[]): Promise<void> {
    try {
      await this.producer.send(topic, records.map((r) => r.record));
    } catch (err) {
      if (!isTooLarge(err)) throw err;
      if (records.length > 1) {
        const half = Math.ceil(records.length / 2);
        this.log.warn({ topic, letters: records.length }, 'dead-letter request refused as too large; splitting it');
        await this.send(topic, records.slice(0, half));
        await this.send(topic, records.slice(half));
        return;
      }
      const [r] = records;
      if (r.record.value !== null) {
        this.log.warn({ topic }, 'dead letter refused as too large; sending it without its value');
        await this.send(topic, [withoutValue(r)]);
        return;
      }
      if (Object.keys(r.record.headers ?? {}).some((k) => !k.startsWith('x-ledger-dlq-'))) {
        await this.send(topic, [bare(r)]);
        return;
      }
      throw err;
    }
    for (const r of records) deadLetters().inc({ group: r.group, topic: r.source, code: r.code });
  }
}
