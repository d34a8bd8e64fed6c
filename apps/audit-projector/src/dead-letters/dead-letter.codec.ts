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
import type { KafkaMessage } from '@agent-ledger/kafka';

/** One message of a dead-letter topic, as a `dead_letters` row. */
export interface DeadLetterRow {
  /** The tenant the message names (a uuid), if any; stored only when that tenant exists. */
  tenantCandidate: string | null;
  consumerGroup: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  eventId: string | null;
  eventType: string | null;
  errorClass: string;
  reasonCode: string;
  reason: string;
  messageKey: string | null;
  /** The original bytes; null when they were too large to travel in the DLQ topic. */
  messageValue: Buffer | null;
  /** The original headers, without the dead-letter ones. */
  messageHeaders: Record<string, string>;
  valueBytes: number;
  deadLetteredAt: Date;
}

const DLQ_PREFIX = 'x-ledger-dlq-';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Codes of messages refused before they could be applied (the rest failed while being applied). */
const INVALID_CODES = new Set(['empty', 'invalid_json', 'schema', 'unstorable']);

/** Text as PostgreSQL stores it: no NUL (refused by text and jsonb), bounded. */
export const storableText = (v: string, max = 2_000): string => v.replace(/\u0000/g, '\uFFFD').slice(0, max);

const headerText = (v: Buffer | string | (Buffer | string)[] | undefined): string | undefined => {
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
};

/** A decimal that fits a PostgreSQL integer (0 … 2^31-1), else the fallback. */
const integer = (v: string | undefined, fallback: number): number => (v !== undefined && /^\d{1,10}$/.test(v) && Number(v) <= 2_147_483_647 ? Number(v) : fallback);
/** A decimal that fits a PostgreSQL bigint (0 … 2^63-1), else '-1'. */
const offset = (v: string | undefined): string => (v !== undefined && /^\d{1,19}$/.test(v) && BigInt(v) <= 9_223_372_036_854_775_807n ? v : '-1');

/**
 * Reads a message of a dead-letter topic. Headers written by older publishers carry only the reason
 * and the source position: the code is then the reason's text before ':', the group the given
 * fallback, and the tenant the value's `tenantId` or the key's uuid prefix.
 */
export function decodeDeadLetter(dlqTopic: string, dlqPartition: number, m: KafkaMessage, fallbackGroup: string): DeadLetterRow {
  const raw: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    const text = headerText(value);
    if (text !== undefined) raw[name] = text;
  }
  const messageHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) if (!name.startsWith(DLQ_PREFIX)) messageHeaders[storableText(name, 200)] = storableText(value, 8_000);

  const reason = storableText(raw[DLQ_REASON_HEADER] ?? 'unknown: no reason given');
  const colon = reason.indexOf(':');
  const reasonCode = storableText(raw[DLQ_CODE_HEADER] ?? (colon > 0 ? reason.slice(0, colon).trim() : 'unknown'), 100);
  const omitted = raw[DLQ_VALUE_OMITTED_HEADER];
  const value = omitted === undefined ? (m.value ?? null) : null;
  const parsed = parseObject(value);
  const key = m.key ? m.key.toString('utf8') : null;
  const keyTenant = key?.split(':')[0];
  const tenant = [raw[DLQ_TENANT_HEADER], typeof parsed?.tenantId === 'string' ? parsed.tenantId : undefined, keyTenant].find((t) => t !== undefined && UUID.test(t));
  const at = raw[DLQ_AT_HEADER] ? Date.parse(raw[DLQ_AT_HEADER]) : NaN;

  return {
    tenantCandidate: tenant ? tenant.toLowerCase() : null,
    consumerGroup: storableText(raw[DLQ_GROUP_HEADER] ?? fallbackGroup, 200),
    sourceTopic: storableText(raw[DLQ_SOURCE_TOPIC_HEADER] ?? sourceTopicOf(dlqTopic), 300),
    sourcePartition: integer(raw[DLQ_SOURCE_PARTITION_HEADER], -1),
    sourceOffset: offset(raw[DLQ_SOURCE_OFFSET_HEADER]),
    dlqTopic,
    dlqPartition,
    dlqOffset: m.offset,
    eventId: typeof parsed?.eventId === 'string' ? storableText(parsed.eventId, 200) : null,
    eventType: typeof parsed?.type === 'string' ? storableText(parsed.type, 200) : null,
    errorClass: storableText(raw[DLQ_ERROR_CLASS_HEADER] ?? (INVALID_CODES.has(reasonCode) ? 'invalid' : 'data'), 100),
    reasonCode,
    reason,
    messageKey: key === null ? null : storableText(key, 8_000),
    messageValue: value,
    messageHeaders,
    valueBytes: omitted !== undefined ? integer(omitted, 0) : (value?.length ?? 0),
    deadLetteredAt: new Date(Number.isNaN(at) ? Number(m.timestamp) || Date.now() : at),
  };
}

/** The topic whose dead-letter topic this is. */
function sourceTopicOf(dlqTopic: string): string {
  return Object.entries(DLQ_TOPIC_OF).find(([, dlq]) => dlq === dlqTopic)?.[0] ?? dlqTopic;
}

function parseObject(value: Buffer | null): Record<string, unknown> | undefined {
  if (!value?.length) return undefined;
  try {
    const v: unknown = JSON.parse(value.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
