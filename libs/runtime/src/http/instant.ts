import { z } from 'zod';

/**
 * `YYYY-MM-DD`, or `YYYY-MM-DD(T| )HH:MM[:SS[.fraction]]` with `Z`, `±HH:MM`, `±HHMM` or no zone (UTC).
 * Every component is range-checked: 2024-02-30 is refused, never rolled over to 1 March.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):?(\d{2}))?)?$/;

const daysIn = (year: number, month: number): number => (month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);

/**
 * Parses an RFC 3339 date-time (a date alone means its midnight UTC; a time without a zone is UTC),
 * strictly: years 0001–9999, real calendar days, hours 00–23, minutes and seconds 00–59, zone offsets
 * up to ±15:59, and the instant itself within 0001–9999 UTC. Returns undefined for anything else.
 */
export function parseInstant(value: string): Date | undefined {
  const m = INSTANT.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x))) as number[];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMinutes = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 15 || om > 59) return undefined; // PostgreSQL's limit; real offsets stop at ±14:00
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // setUTCFullYear, not Date.UTC: Date.UTC maps the years 0–99 to 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  const instant = new Date(d.getTime() - offsetMinutes * 60_000);
  return instant.getTime() >= MIN_INSTANT && instant.getTime() <= MAX_INSTANT ? instant : undefined;
}

const MIN_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/** A query parameter holding an instant (see {@link parseInstant}), as a Date. */
export const instantParam = (name: string) =>
  z.string({ invalid_type_error: `${name} must be a single date-time` }).transform((v, ctx) => {
    const d = parseInstant(v);
    if (!d) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} must be an RFC 3339 date-time with a real calendar date (years 0001–9999), e.g. 2026-01-31T12:00:00Z` });
      return z.NEVER;
    }
    return d;
  });
