/**
 * The range of every date-time the ledger accepts (occurredAt, receivedAt, escalation times,
 * checkpoint times), checked on the parsed instant (after applying the time-zone offset):
 * 1970-01-01T00:00:00Z through 9999-12-31T23:59:59.999Z.
 *
 * - The lower bound: no agent acted before the Unix epoch; earlier dates are clock or parsing
 *   errors (a zero epoch, a year typed as `0001`), and year 0 has no JavaScript/PostgreSQL reading
 *   both agree on.
 * - The upper bound: RFC 3339 has four-digit years, and `9999-12-31T23:59:59-01:00` (an instant in
 *   year 10000 UTC) would not print back as RFC 3339.
 * - Precision: instants compare at milliseconds (what JavaScript parses); PostgreSQL keeps the
 *   microseconds of the text. The bounds are parsed from text, never built with `Date.UTC` (which
 *   reads a year below 100 as 1900 + year).
 */
export const EARLIEST_INSTANT = '1970-01-01T00:00:00.000Z';
export const LATEST_INSTANT = '9999-12-31T23:59:59.999Z';
export const EARLIEST_INSTANT_MS = Date.parse(EARLIEST_INSTANT);
export const LATEST_INSTANT_MS = Date.parse(LATEST_INSTANT);

/** Whether `ms` (epoch milliseconds) is within [{@link EARLIEST_INSTANT}, {@link LATEST_INSTANT}]. */
export function isInstantInRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST_INSTANT_MS && ms <= LATEST_INSTANT_MS;
}
