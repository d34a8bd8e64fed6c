import { EXECUTE_TOOL, GENAI_ATTRIBUTES } from './genai-span.mapper';
import type { OtlpSpan } from './otlp-span';
import { readJsonTraces, readProtobufTraces } from './otlp-trace.reader';

/**
 * The spans read from each request body (or why it could not be read), until the body is collected:
 * the per-key rate limit reads an export before its handler does, and a body is decoded once.
 */
const readBodies = new WeakMap<object, OtlpSpan[] | Error>();

/** The spans of an export: a protobuf body (a Buffer) or an OTLP/JSON one. @throws ApiError 400 as the readers do. */
export function spansOfExport(body: unknown, protobuf: boolean): OtlpSpan[] {
  const key = body !== null && typeof body === 'object' ? body : undefined;
  let read = key && readBodies.get(key);
  if (!read) {
    try {
      read = protobuf ? readProtobufTraces(Buffer.isBuffer(body) ? body : Buffer.alloc(0)) : readJsonTraces(body);
    } catch (err) {
      read = err as Error;
    }
    if (key) readBodies.set(key, read);
  }
  if (read instanceof Error) throw read;
  return read;
}

/**
 * What an OTLP export takes from its key's rate limit, like a POST /v1/events batch: the events it
 * publishes (two per tool call span), at least 1. Undefined for a body that is not an export.
 */
export function otlpExportCost(body: unknown): number | undefined {
  const protobuf = Buffer.isBuffer(body);
  if (!protobuf && !(body !== null && typeof body === 'object' && !Array.isArray(body) && 'resourceSpans' in body)) return undefined;
  try {
    const toolCalls = spansOfExport(body, protobuf).filter((s) => s.attributes.get(GENAI_ATTRIBUTES.operation) === EXECUTE_TOOL).length;
    return Math.max(1, 2 * toolCalls);
  } catch {
    return 1;
  }
}
