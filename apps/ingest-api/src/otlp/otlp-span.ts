/** An attribute value as read from OTLP (`AnyValue`): bytes as base64 text, int64 beyond 2^53 as text. */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export type Attributes = ReadonlyMap<string, AttributeValue>;

/** `Status.code` of OTLP. */
export const SPAN_STATUS = { unset: 0, ok: 1, error: 2 } as const;

/** A span of an OTLP export, in the shape the mapping reads, whichever encoding it came in. */
export interface OtlpSpan {
  /** Lowercase hex as sent: 32 digits when valid (checked by the mapping, not by the reader). */
  traceId: string;
  /** Lowercase hex as sent: 16 digits when valid. */
  spanId: string;
  /** The W3C trace flags (the low 8 bits of `flags`); 1 (sampled) when absent. */
  traceFlags: number;
  name: string;
  /** Nanoseconds since the Unix epoch; 0 when absent. */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  events: { name: string; attributes: Attributes }[];
  status: { code: number; message: string };
  /** The attributes of the span's resource (`service.name`, …). */
  resource: Attributes;
}
