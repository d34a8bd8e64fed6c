import { instantParam, parseInstant } from './instant';

describe(parseInstant.name, () => {
  it('should read date-times with a zone, an offset or none (UTC) when they are real instants', () => {
    expect(parseInstant('2024-02-29T12:30:00Z')?.toISOString()).toBe('2024-02-29T12:30:00.000Z');
    expect(parseInstant('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseInstant('2024-01-01T10:00:00.123456+05:30')?.toISOString()).toBe('2024-01-01T04:30:00.123Z');
    expect(parseInstant('2024-01-01 10:00')?.toISOString()).toBe('2024-01-01T10:00:00.000Z');
    expect(parseInstant('0001-01-01T00:00:00Z')?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
  });

  it('should refuse impossible calendar dates when they would roll over', () => {
    for (const v of ['2024-02-30', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '1900-02-29']) expect(parseInstant(v)).toBeUndefined();
  });

  it('should refuse out-of-range times, offsets and years when PostgreSQL or RFC 3339 would', () => {
    for (const v of ['0000-01-01', '2024-01-01T24:00:00Z', '2024-01-01T23:60:00Z', '2024-12-31T23:59:60Z', '2024-01-01T00:00:00+16:00', '+275760-09-13T00:00:00Z', '0001-01-01T00:00:00+01:00']) {
      expect(parseInstant(v)).toBeUndefined();
    }
  });

  it('should refuse what is not a date-time when given loose formats', () => {
    for (const v of ['1', 'Tue', 'yesterday', '2024-1-1', '2024-01-01T10', '2024-01-01T10:00:00ZZ', ' 2024-01-01', '2024-01-01\u0000']) expect(parseInstant(v)).toBeUndefined();
  });
});

describe('instantParam', () => {
  it('should name the parameter when the value is not a real instant', () => {
    const r = instantParam('from').safeParse('2024-02-30');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/^from must be an RFC 3339 date-time/);
  });
});
