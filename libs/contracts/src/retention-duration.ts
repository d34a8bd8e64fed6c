/**
 * Retention periods are ISO 8601 durations, `P[nY][nM][nW][nD][T[nH][nM][nS]]` with whole numbers,
 * stored as written: PostgreSQL reads the same text with `::interval` (the retention worker and the
 * CHECK of retention_policies do). Bounds are compared on an average Gregorian calendar (a year is
 * 365.25 days, a month a twelfth of it), so `P100Y`, `P1200M` and `P36525D` are the same upper bound.
 */
export const DEFAULT_RETAIN_FOR = 'P90D';
export const MIN_RETAIN_FOR = 'PT1S';
export const MAX_RETAIN_FOR = 'P100Y';

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const DAY = 86_400;
const YEAR = 365.25 * DAY;
/** Seconds per unit, in the order of the pattern's groups: Y M W D H M S. */
const UNIT_SECONDS = [YEAR, YEAR / 12, 7 * DAY, DAY, 3_600, 60, 1];
const MAX_SECONDS = 100 * YEAR;
const MAX_LENGTH = 64;

export type DurationCheck = { ok: true; seconds: number } | { ok: false; message: string };

const FORMAT = 'an ISO 8601 duration of whole numbers such as P90D, P1Y, P2W or PT12H (P[nY][nM][nW][nD][T[nH][nM][nS]])';

/** Checks a retention period; `seconds` is its length on the average calendar (for bounds and display). */
export function checkRetentionDuration(text: string, name = 'retainFor'): DurationCheck {
  const m = text.length <= MAX_LENGTH ? DURATION.exec(text) : null;
  if (!m) return { ok: false, message: `${name} must be ${FORMAT}` };
  const parts = m.slice(1);
  if (parts.every((p) => p === undefined)) return { ok: false, message: `${name} must name at least one amount, e.g. P90D (not "P" alone)` };
  if (text.includes('T') && parts.slice(4).every((p) => p === undefined)) return { ok: false, message: `${name} must name hours, minutes or seconds after "T", e.g. PT12H` };
  const seconds = parts.reduce((sum, p, i) => sum + (p === undefined ? 0 : Number(p) * UNIT_SECONDS[i]), 0);
  if (seconds < 1) return { ok: false, message: `${name} must be at least ${MIN_RETAIN_FOR}` };
  if (!(seconds <= MAX_SECONDS)) return { ok: false, message: `${name} must be at most ${MAX_RETAIN_FOR}` };
  return { ok: true, seconds };
}
