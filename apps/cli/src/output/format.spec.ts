import { formatBytes, formatDuration, formatTime, pick, text, truncate } from './format';

describe('format', () => {
  it('should read the first path that is set when fields may be flat or nested', () => {
    expect(pick({ tool: { name: 'refund' } }, 'toolName', 'tool.name')).toBe('refund');
    expect(pick({ toolName: 'flat', tool: { name: 'nested' } }, 'toolName', 'tool.name')).toBe('flat');
    expect(pick({ toolName: '' }, 'toolName')).toBeUndefined();
    expect(pick(null, 'a.b')).toBeUndefined();
  });

  it('should print values as cells when formatting', () => {
    expect([text(undefined), text(null), text(''), text(3), text(false), text({ a: 1 })]).toEqual(['-', '-', '-', '3', 'false', '{"a":1}']);
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('should show times in UTC to the second and leave unparseable ones as they are', () => {
    expect(formatTime('2026-03-01T09:15:02.123+01:00')).toBe('2026-03-01 08:15:02Z');
    expect(formatTime('soon')).toBe('soon');
    expect(formatTime(undefined)).toBe('-');
  });

  it.each([
    [850, '850ms'],
    [1234, '1.23s'],
    [12_345, '12.3s'],
    [125_000, '2m05s'],
    [3_900_000, '1h05m'],
    ['120', '120ms'],
  ])('should format the duration %s as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('should format byte counts with binary units', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(50 * 1024 * 1024)]).toEqual(['512 B', '1.5 KiB', '50 MiB']);
  });
});
