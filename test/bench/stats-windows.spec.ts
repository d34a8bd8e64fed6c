import { statsWindows } from '../../bench/lib/stats-windows';

const HOUR = 3_600_000;

describe('statsWindows', () => {
  const lo = Date.parse('2026-11-28T06:41:07Z');
  const hi = Date.parse('2026-12-05T06:40:59Z');
  const windows = statsWindows(lo, hi);
  const byName = Object.fromEntries(windows.map((w) => [w.name, w]));

  it('should cover the whole data set with the first window when given its range', () => {
    expect(windows[0].name).toBe('whole range');
    expect(windows[0].from).toBeLessThan(lo);
    expect(windows[0].to).toBeGreaterThan(hi);
  });

  it('should end the 24-hour window at the data set’s end when given its range', () => {
    expect(byName['last 24 h'].to - byName['last 24 h'].from).toBe(24 * HOUR);
    expect(byName['last 24 h'].to).toBeGreaterThan(hi);
  });

  it('should start the unaligned window at 23 minutes past an hour and last 3 h 17 min when given its range', () => {
    const w = byName['3 h 17 min from :23'];
    expect(new Date(w.from).getUTCMinutes()).toBe(23);
    expect(w.to - w.from).toBe(3 * HOUR + 17 * 60_000);
  });

  it('should keep every window inside the data set when given its range', () => {
    for (const w of windows.slice(1)) {
      expect(w.from).toBeGreaterThanOrEqual(lo - HOUR);
      expect(w.to).toBeLessThanOrEqual(hi + 1_000);
    }
    expect(byName['one hour'].to - byName['one hour'].from).toBe(HOUR);
  });
});
