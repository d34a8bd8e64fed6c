/**
 * When to retry a request and how long to wait. Every retry resends the same events with the same
 * `eventId`s, so a request that did arrive before its response was lost is deduplicated downstream.
 */

/**
 * Statuses worth retrying: 503 (ingest cannot reach Kafka), 429 (rate limited), 408, and the other
 * transient 5xx of proxies and load balancers. Every other status (400, 401, 403, 413, 415, …)
 * means the same request would fail again.
 */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** Statuses whose `Retry-After` header is honoured. */
export function honoursRetryAfter(status: number): boolean {
  return status === 429 || status === 503;
}

export interface BackoffOptions {
  /** Delay cap of the first retry, in ms. */
  baseDelayMs: number;
  /** Upper bound of any backoff delay, in ms. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with "equal jitter": the cap doubles with each retry (base · 2^retry, at most
 * `maxDelayMs`) and the delay is drawn from [cap/2, cap], so clients that failed together do not
 * retry together, yet the wait still grows.
 *
 * @param retry 0 for the first retry.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.round(cap / 2 + random() * (cap / 2));
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Fractional seconds are
 * accepted too. Returns the delay in ms, or `undefined` when absent or unparsable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header == null) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // An HTTP-date names its day and month ("Fri, 31 Jan 2025 09:30:00 GMT"); anything without letters
  // ("-1") is not one, even where Date.parse would read it as a year.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
