/** How often a tenant's report is sent. */
export const REPORT_FREQUENCIES = ['daily', 'weekly'] as const;
export type ReportFrequency = (typeof REPORT_FREQUENCIES)[number];

/** A tenant's report schedule (`GET/PUT /v1/reports`, table report_schedules). */
export interface ReportSchedule {
  frequency: ReportFrequency;
  /** Local hour (0-23) in `timezone` at which the report is sent; it covers the period that ends then. */
  hour: number;
  /** Day of a weekly report, 0 = Sunday … 6 = Saturday; null for a daily one. */
  weekday: number | null;
  /** IANA time zone, e.g. Europe/Berlin. */
  timezone: string;
  enabled: boolean;
}

/** The length of the period a report covers. */
export const REPORT_PERIOD_MS: Record<ReportFrequency, number> = { daily: 86_400_000, weekly: 7 * 86_400_000 };

/** True for a time zone the runtime knows (IANA names, e.g. UTC, Europe/Berlin). */
export function isTimeZone(name: string): boolean {
  if (!name || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The cron pattern of a schedule (minute hour day month weekday), read in the schedule's time zone. */
export function reportCron(s: Pick<ReportSchedule, 'frequency' | 'hour' | 'weekday'>): string {
  return s.frequency === 'daily' ? `0 ${s.hour} * * *` : `0 ${s.hour} * * ${s.weekday ?? 1}`;
}

/** The period [from, to) of a report sent at `to`: the preceding day or week. */
export function reportPeriod(frequency: ReportFrequency, to: Date): { from: Date; to: Date } {
  return { from: new Date(to.getTime() - REPORT_PERIOD_MS[frequency]), to };
}
