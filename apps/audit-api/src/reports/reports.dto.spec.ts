import { putReportScheduleSchema, startReportRunSchema } from './reports.dto';

describe('putReportScheduleSchema', () => {
  const issues = (body: unknown) => {
    const r = putReportScheduleSchema.safeParse(body);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('should accept a weekly schedule in an IANA time zone and default enabled to true', () => {
    expect(putReportScheduleSchema.parse({ frequency: 'weekly', hour: 8, weekday: 1, timezone: 'Europe/Berlin' })).toEqual({
      frequency: 'weekly',
      hour: 8,
      weekday: 1,
      timezone: 'Europe/Berlin',
      enabled: true,
    });
  });

  it('should refuse a time zone that is not an IANA name with field timezone', () => {
    expect(issues({ frequency: 'daily', hour: 8, timezone: 'Mars/Olympus' })).toEqual(['timezone: timezone must be an IANA time zone, e.g. UTC or Europe/Berlin']);
  });

  it('should refuse a weekly schedule without weekday and a daily one with it', () => {
    expect(issues({ frequency: 'weekly', hour: 8, timezone: 'UTC' })).toEqual(['weekday: weekday is required for a weekly report']);
    expect(issues({ frequency: 'daily', hour: 8, weekday: 2, timezone: 'UTC' })).toEqual(['weekday: weekday is only for a weekly report']);
  });

  it('should refuse an hour outside 0-23 and a fractional one', () => {
    expect(issues({ frequency: 'daily', hour: 24, timezone: 'UTC' })).toEqual(['hour: hour must be 0 to 23']);
    expect(issues({ frequency: 'daily', hour: 7.5, timezone: 'UTC' })).toEqual(['hour: hour must be a whole number']);
  });

  it('should refuse unknown fields when starting a run', () => {
    expect(startReportRunSchema.safeParse({ frequency: 'monthly' }).success).toBe(false);
    expect(startReportRunSchema.safeParse({ extra: 1 }).success).toBe(false);
    expect(startReportRunSchema.parse({})).toEqual({});
  });
});
