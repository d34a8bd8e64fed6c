import { describeSeries, fillSeries, labelIndexes, niceScale } from './chart-geometry';

describe(fillSeries.name, () => {
  it('should give every bucket of the window, with zeros where the API returned no row', () => {
    const filled = fillSeries([{ t: '2026-01-01T10:02:00.000Z', actions: 3, executed: 2, failed: 1 }], { from: '2026-01-01T10:00:30.000Z', to: '2026-01-01T10:04:00.000Z', bucket: 'minute' });
    expect(filled.map((p) => [p.t.slice(11, 16), p.actions])).toEqual([
      ['10:00', 0],
      ['10:01', 0],
      ['10:02', 3],
      ['10:03', 0],
    ]);
  });

  it('should keep rows that fall outside the grid rather than lose them', () => {
    const filled = fillSeries([{ t: '2026-01-01T10:00:30.000Z', actions: 1, executed: 1, failed: 0 }], { from: '2026-01-01T10:00:00.000Z', to: '2026-01-01T10:01:00.000Z', bucket: 'minute' });
    expect(filled.reduce((n, p) => n + p.actions, 0)).toBe(1);
  });
});

describe(niceScale.name, () => {
  it('should round the maximum up to whole-number ticks that cover it', () => {
    expect(niceScale(0)).toEqual({ max: 1, ticks: [0, 1] });
    expect(niceScale(3)).toEqual({ max: 3, ticks: [0, 1, 2, 3] });
    expect(niceScale(87)).toEqual({ max: 100, ticks: [0, 50, 100] });
    const { max, ticks } = niceScale(1234);
    expect(max).toBeGreaterThanOrEqual(1234);
    expect(ticks.every(Number.isInteger)).toBe(true);
  });
});

describe(labelIndexes.name, () => {
  it('should spread at most n labels including the first and last bucket', () => {
    expect(labelIndexes(3, 6)).toEqual([0, 1, 2]);
    expect(labelIndexes(100, 5)).toEqual([0, 25, 50, 74, 99]);
    expect(labelIndexes(0, 5)).toEqual([]);
  });
});

describe(describeSeries.name, () => {
  it('should summarise totals and the busiest interval for a screen reader', () => {
    const text = describeSeries(
      [
        { t: 'a', actions: 2, executed: 2, failed: 0 },
        { t: 'b', actions: 5, executed: 3, failed: 2 },
      ],
      (t) => `at ${t}`,
    );
    expect(text).toBe('7 actions and 2 failures over 2 intervals; the busiest interval, at b, had 5 actions and 2 failures.');
    expect(describeSeries([], String)).toBe('No actions in this period.');
  });
});
