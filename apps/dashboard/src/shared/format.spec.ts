import { between, formatDuration, formatPercent, isoToLocalInput, localInputToIso } from './format';

describe(formatDuration.name, () => {
  it('should pick the unit a person reads best', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(184_000)).toBe('3 min 4 s');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatDuration(null)).toBe('—');
  });
});

describe(formatPercent.name, () => {
  it('should show one decimal unless the rate is whole, and a dash when there is none', () => {
    expect(formatPercent(0.975)).toBe('97.5%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(null)).toBe('—');
  });
});

describe(between.name, () => {
  it('should give the milliseconds between two instants or null when one is missing', () => {
    expect(between('2026-01-01T00:00:00Z', '2026-01-01T00:00:01.5Z')).toBe(1500);
    expect(between(null, '2026-01-01T00:00:00Z')).toBeNull();
  });
});

describe(localInputToIso.name, () => {
  it('should read a datetime-local value as local time and round-trip through isoToLocalInput', () => {
    const iso = localInputToIso('2026-03-04T05:06');
    expect(iso).toBe(new Date(2026, 2, 4, 5, 6).toISOString());
    expect(isoToLocalInput(iso)).toBe('2026-03-04T05:06');
    expect(localInputToIso('4 March')).toBeUndefined();
  });
});
