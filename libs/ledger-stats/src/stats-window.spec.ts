import { isWindowIssue, MAX_STATS_SPAN_MS, resolveStatsWindow, STATS_WINDOWS } from './stats-window';
import { successRates } from './stats.service';

describe('resolveStatsWindow', () => {
  const now = new Date('2026-03-10T12:00:00Z');

  it('should end the window now and span 24 h when nothing is asked', () => {
    const w = resolveStatsWindow({}, now);
    if (isWindowIssue(w)) throw new Error(w.message);
    expect(w.to).toEqual(now);
    expect(now.getTime() - w.from.getTime()).toBe(86_400_000);
    expect(w.bucket).toBe('hour');
  });

  it.each(Object.entries(STATS_WINDOWS))('should span %s when the named window is asked', (name, ms) => {
    const w = resolveStatsWindow({ window: name as keyof typeof STATS_WINDOWS }, now);
    if (isWindowIssue(w)) throw new Error(w.message);
    expect(w.to.getTime() - w.from.getTime()).toBe(ms);
  });

  it('should accept exactly 90 days and refuse one millisecond more with field from', () => {
    const to = now;
    expect(isWindowIssue(resolveStatsWindow({ from: new Date(to.getTime() - MAX_STATS_SPAN_MS), to }, now))).toBe(false);
    const w = resolveStatsWindow({ from: new Date(to.getTime() - MAX_STATS_SPAN_MS - 1), to }, now);
    expect(w).toMatchObject({ field: 'from', code: 'too_long' });
  });

  it('should refuse window together with from', () => {
    expect(resolveStatsWindow({ window: '1h', from: new Date(now.getTime() - 1_000) }, now)).toMatchObject({ field: 'window', code: 'invalid' });
  });

  it('should refuse from at or after to', () => {
    expect(resolveStatsWindow({ from: now, to: now }, now)).toMatchObject({ field: 'from', code: 'invalid' });
  });

  it('should keep the bucket asked for', () => {
    const w = resolveStatsWindow({ window: '90d', bucket: 'minute' }, now);
    expect(isWindowIssue(w) ? undefined : w.bucket).toBe('minute');
  });
});

describe('successRates', () => {
  it('should divide executed by all actions and by the finished ones', () => {
    expect(successRates({ executed: 6, failed: 2, attempted: 1, cancelled: 1 })).toEqual({ successRate: 6 / 10, successRateOfFinished: 6 / 8 });
  });

  it('should answer null when nothing was counted', () => {
    expect(successRates({})).toEqual({ successRate: null, successRateOfFinished: null });
    expect(successRates({ attempted: 3 })).toEqual({ successRate: 0, successRateOfFinished: null });
  });
});
