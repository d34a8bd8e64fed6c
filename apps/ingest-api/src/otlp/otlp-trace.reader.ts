import { ApiError } from '@agent-ledger/runtime';
import type { AttributeValue, Attributes, OtlpSpan } from './otlp-span';
import { ExportTraceServiceRequest } from './otlp-trace.proto';

/**
 * Reads an OTLP/HTTP trace export into spans, from either encoding (opentelemetry-proto
 * `docs/specification.md`, "OTLP/HTTP"): binary protobuf, decoded by protobufjs, or OTLP/JSON
 * (lowerCamelCase names, trace and span ids as hex, enums as integers, 64-bit integers as strings
 * or numbers). A body that does not decode or has a field of the wrong type is refused whole with
 * 400 naming the field by JSON pointer; what a span says (valid ids, times) is the mapping's concern.
 */

type Json = Record<string, unknown>;

const bad = (code: string, message: string, field: string) => ApiError.badRequest(code, message, field);

/** Decodes a protobuf `ExportTraceServiceRequest` (400 `malformed_protobuf` when it does not decode). */
export function readProtobufTraces(body: Buffer): OtlpSpan[] {
  let decoded: Json;
  try {
    const message = ExportTraceServiceRequest.decode(body);
    decoded = ExportTraceServiceRequest.toObject(message, { longs: String, arrays: false, defaults: false }) as Json;
  } catch (err) {
    throw bad('malformed_protobuf', `the body is not a protobuf ExportTraceServiceRequest: ${(err as Error).message}`, '(body)');
  }
  return readRequest(decoded);
}

/**
 * Reads an OTLP/JSON `ExportTraceServiceRequest` already parsed from JSON. Unknown fields are
 * ignored, as OTLP/JSON requires, but `resourceSpans` must be there: a body without it is not an
 * export (events posted to the wrong endpoint would otherwise be answered 200 and dropped).
 */
export function readJsonTraces(body: unknown): OtlpSpan[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('invalid_otlp_body', 'the body must be an OTLP/JSON ExportTraceServiceRequest object', '(body)');
  if (!Array.isArray((body as Json).resourceSpans)) throw bad('invalid_otlp_body', 'an OTLP/JSON trace export holds a resourceSpans array', '/resourceSpans');
  return readRequest(body as Json);
}

function readRequest(request: Json): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  list(request.resourceSpans, '/resourceSpans').forEach((rs, i) => {
    const at = `/resourceSpans/${i}`;
    const resource = object(rs.resource, `${at}/resource`);
    const resourceAttributes = attributes(resource?.attributes, `${at}/resource/attributes`);
    list(rs.scopeSpans, `${at}/scopeSpans`).forEach((ss, j) => {
      list(ss.spans, `${at}/scopeSpans/${j}/spans`).forEach((s, k) => spans.push(span(s, `${at}/scopeSpans/${j}/spans/${k}`, resourceAttributes)));
    });
  });
  return spans;
}

function span(s: Json, at: string, resource: Attributes): OtlpSpan {
  const status = object(s.status, `${at}/status`);
  const flags = s.flags === undefined ? 1 : integer(s.flags, `${at}/flags`) & 0xff;
  return {
    traceId: id(s.traceId, `${at}/traceId`),
    spanId: id(s.spanId, `${at}/spanId`),
    traceFlags: flags,
    name: text(s.name, `${at}/name`),
    startTimeUnixNano: nanos(s.startTimeUnixNano, `${at}/startTimeUnixNano`),
    endTimeUnixNano: nanos(s.endTimeUnixNano, `${at}/endTimeUnixNano`),
    attributes: attributes(s.attributes, `${at}/attributes`),
    events: list(s.events, `${at}/events`).map((e, i) => ({ name: text(e.name, `${at}/events/${i}/name`), attributes: attributes(e.attributes, `${at}/events/${i}/attributes`) })),
    status: { code: status?.code === undefined ? 0 : integer(status.code, `${at}/status/code`), message: text(status?.message, `${at}/status/message`) },
    resource,
  };
}

function list(value: unknown, at: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad('invalid_otlp_body', 'must be an array', at);
  return value.map((v, i) => object(v, `${at}/${i}`) ?? {});
}

function object(value: unknown, at: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw bad('invalid_otlp_body', 'must be an object', at);
  return value as Json;
}

function text(value: unknown, at: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw bad('invalid_otlp_body', 'must be a string', at);
  return value;
}

function integer(value: unknown, at: string): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw bad('invalid_otlp_body', 'must be an integer', at);
  return n;
}

/** A trace or span id: bytes (protobuf) or hex text (OTLP/JSON), as lowercase hex. */
function id(value: unknown, at: string): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value !== 'string') throw bad('invalid_otlp_body', 'must be a hex string', at);
  return value.toLowerCase();
}

/** A `fixed64` time: a decimal string or a non-negative integer. */
function nanos(value: unknown, at: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  throw bad('invalid_otlp_body', 'must be a non-negative integer of nanoseconds (a number or a decimal string)', at);
}

/** How deep attribute values (arrays, key-value lists) may nest. */
const MAX_VALUE_DEPTH = 16;

function attributes(value: unknown, at: string, depth = 0): Attributes {
  const out = new Map<string, AttributeValue>();
  list(value, at).forEach((kv, i) => {
    const key = text(kv.key, `${at}/${i}/key`);
    out.set(key, anyValue(kv.value, `${at}/${i}/value`, depth));
  });
  return out;
}

/** `AnyValue`: the one field set (none: null). */
function anyValue(value: unknown, at: string, depth: number): AttributeValue {
  const v = object(value, at);
  if (!v) return null;
  if (depth >= MAX_VALUE_DEPTH) throw bad('invalid_otlp_body', `attribute values nest deeper than ${MAX_VALUE_DEPTH} levels`, at);
  if (v.stringValue !== undefined) return text(v.stringValue, `${at}/stringValue`);
  if (v.boolValue !== undefined) {
    if (typeof v.boolValue !== 'boolean') throw bad('invalid_otlp_body', 'must be a boolean', `${at}/boolValue`);
    return v.boolValue;
  }
  if (v.intValue !== undefined) {
    const n = typeof v.intValue === 'string' && /^-?\d+$/.test(v.intValue) ? Number(v.intValue) : v.intValue;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw bad('invalid_otlp_body', 'must be an integer', `${at}/intValue`);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) {
    if (typeof v.doubleValue !== 'number') throw bad('invalid_otlp_body', 'must be a number', `${at}/doubleValue`);
    return v.doubleValue;
  }
  if (v.bytesValue !== undefined) return v.bytesValue instanceof Uint8Array ? Buffer.from(v.bytesValue).toString('base64') : text(v.bytesValue, `${at}/bytesValue`);
  if (v.arrayValue !== undefined) return list(object(v.arrayValue, `${at}/arrayValue`)?.values, `${at}/arrayValue/values`).map((e, i) => anyValue(e, `${at}/arrayValue/values/${i}`, depth + 1));
  if (v.kvlistValue !== undefined) return Object.fromEntries(attributes(object(v.kvlistValue, `${at}/kvlistValue`)?.values, `${at}/kvlistValue/values`, depth + 1));
  return null;
}
