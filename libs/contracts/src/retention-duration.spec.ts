import { checkRetentionDuration } from './retention-duration';

const message = (text: string) => {
  const checked = checkRetentionDuration(text);
  return checked.ok ? undefined : checked.message;
};

describe('checkRetentionDuration', () => {
  it('should accept whole-number durations with any of the designators when they are in order', () => {
    for (const text of ['P90D', 'PT5S', 'PT1S', 'P1Y', 'P6M', 'P2W', 'PT12H', 'PT30M', 'P1Y2M3W4DT5H6M7S', 'P1DT1S', 'P090D']) expect(checkRetentionDuration(text)).toMatchObject({ ok: true });
  });

  it('should measure the duration in seconds on the average calendar when it is valid', () => {
    expect(checkRetentionDuration('PT5S')).toEqual({ ok: true, seconds: 5 });
    expect(checkRetentionDuration('P1DT1H1M1S')).toEqual({ ok: true, seconds: 86_400 + 3_661 });
    expect(checkRetentionDuration('P2W')).toEqual({ ok: true, seconds: 14 * 86_400 });
    expect(checkRetentionDuration('P1Y')).toEqual({ ok: true, seconds: 365.25 * 86_400 });
  });

  it('should accept the upper bound P100Y and its equivalents in months, days and seconds', () => {
    for (const text of ['P100Y', 'P1200M', 'P36525D', 'PT3155760000S']) expect(checkRetentionDuration(text)).toMatchObject({ ok: true });
  });

  it('should refuse a duration longer than P100Y', () => {
    for (const text of ['P101Y', 'P100Y1D', 'P1201M', 'P36526D', 'PT3155760001S', `P${'9'.repeat(40)}D`]) expect(message(text)).toBe('retainFor must be at most P100Y');
  });

  it('should refuse a zero duration as shorter than PT1S', () => {
    for (const text of ['P0D', 'PT0S', 'P0Y0M0DT0H0M0S']) expect(message(text)).toBe('retainFor must be at least PT1S');
  });

  it('should refuse P and PT without an amount', () => {
    expect(message('P')).toMatch(/at least one amount/);
    expect(message('PT')).toMatch(/at least one amount/);
    expect(message('P1DT')).toMatch(/after "T"/);
  });

  it('should refuse negatives, fractions, wrong order, lower case and garbage with the expected format', () => {
    for (const text of ['-P1D', 'P-1D', 'P1.5D', 'PT0.5S', 'P1,5D', 'P1D1Y', 'PT1D', 'P1H', 'p1d', 'P1d', '90 days', '90', '', ' P1D', 'P1D ', 'P1DT1H1M1S1S', 'P1Y1Y', 'PT5s', 'P1Y\u0000']) {
      expect(message(text)).toMatch(/^retainFor must be an ISO 8601 duration of whole numbers/);
    }
  });

  it('should refuse a text longer than 64 characters before parsing it', () => {
    expect(message(`P${'0'.repeat(70)}1D`)).toMatch(/ISO 8601/);
  });

  it('should name the given field in its messages', () => {
    expect(checkRetentionDuration('P', 'period')).toMatchObject({ ok: false, message: expect.stringMatching(/^period /) });
  });
});
