import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { csvSafe, EXPORT_COLUMNS } from './export-format';

describe('export format', () => {
  it('should neutralise cells that a spreadsheet would run as formulas', () => {
    expect(['=HYPERLINK("http://x","y")', '+1+2', '-2', '@SUM(A1)', '\tx', '\rx'].map(csvSafe)).toEqual([
      `'=HYPERLINK("http://x","y")`,
      `'+1+2`,
      `'-2`,
      `'@SUM(A1)`,
      `'\tx`,
      `'\rx`,
    ]);
    expect(['plain', 'a=b', '', '3-4'].map(csvSafe)).toEqual(['plain', 'a=b', '', '3-4']);
  });

  it('should round-trip quotes, commas and newlines when the CSV is parsed back', () => {
    const row = EXPORT_COLUMNS.map((c) => `${c} value`);
    row[EXPORT_COLUMNS.indexOf('errorMessage')] = 'quote " comma , newline\nend';
    row[EXPORT_COLUMNS.indexOf('input')] = JSON.stringify({ q: 'a,"b"' });
    row[EXPORT_COLUMNS.indexOf('agentName')] = csvSafe('=cmd|calc');
    const parsed = parse(stringify([EXPORT_COLUMNS, row])) as string[][];
    expect(parsed[0]).toEqual([...EXPORT_COLUMNS]);
    expect(parsed[1]).toEqual(row);
    expect(parsed[1][EXPORT_COLUMNS.indexOf('errorMessage')]).toBe('quote " comma , newline\nend');
    expect(JSON.parse(parsed[1][EXPORT_COLUMNS.indexOf('input')])).toEqual({ q: 'a,"b"' });
    expect(parsed[1][EXPORT_COLUMNS.indexOf('agentName')]).toBe("'=cmd|calc");
  });
});
