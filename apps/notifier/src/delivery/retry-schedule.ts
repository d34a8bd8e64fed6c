/** Retry timing of deliveries: the configured schedule, jitter, and the receiver's Retry-After. */

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500`, `500ms`, `5s`, `5m`, `2h`, `1.5h`, `5d` → milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * A schedule such as `0,5s,5m,30m`: the delay before each attempt (the first is usually 0). Its
 * length is the number of attempts. Undefined when malformed or longer than 50.
 */
export function parseSchedule(text: string): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (!parts.length || parts.length > 50) return undefined;
  const delays = parts.map(parseDuration);
  return delays.every((d): d is number => d !== undefined) ? delays : undefined;
}

/** `value` spread uniformly by ± `jitter` (a fraction), never negative. */
export function withJitter(value: number, jitter: number, random: () => number = Math.random): number {
  if (jitter <= 0 || value <= 0) return value;
  return Math.max(0, Math.round(value * (1 + jitter * (2 * random() - 1))));
}

/**
 * The wait before the next webhook attempt after `attemptsMade` attempts failed (1 after the first
 * failure): the schedule's entry for that attempt, jittered, but never sooner than the receiver's
 * Retry-After (capped at `retryAfterMaxMs`). Undefined when the schedule has no attempt left.
 */
export function nextWebhookDelay(
  attemptsMade: number,
  opts: { schedule: number[]; jitter: number; retryAfterMs?: number; retryAfterMaxMs: number; random?: () => number },
): number | undefined {
  if (attemptsMade >= opts.schedule.length) return undefined;
  const scheduled = withJitter(opts.schedule[attemptsMade], opts.jitter, opts.random);
  const asked = opts.retryAfterMs === undefined ? 0 : Math.min(opts.retryAfterMs, opts.retryAfterMaxMs);
  return Math.max(scheduled, asked);
}

/** Exponential backoff of emails: `base`, 2×`base`, 4×`base`… after the 1st, 2nd, 3rd… failure, jittered. */
export function nextEmailDelay(attemptsMade: number, opts: { baseMs: number; jitter: number; random?: () => number }): number {
  return withJitter(opts.baseMs * 2 ** Math.max(0, attemptsMade - 1), opts.jitter, opts.random);
}

/**
 * A Retry-After header (RFC 9110: delay-seconds or an HTTP date) → milliseconds from `now`;
 * undefined when absent or malformed; 0 for a date in the past.
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at) || !/[a-z]/i.test(trimmed)) return undefined;
  return Math.max(0, at - now);
}
