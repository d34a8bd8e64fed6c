import { csvCell, toCsv } from './csv';

describe('csv', () => {
  it('should quote cells holding commas, quotes or line breaks when writing', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('carriage\rreturn')).toBe('"carriage\rreturn"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it.each(['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd'])('should neutralize the formula %s with an apostrophe', (value) => {
    expect(csvCell(value).replace(/^"/, '')).toMatch(/^'/);
  });

  it('should write a header and one CRLF-terminated row per item', () => {
    const columns = [
      { header: 'id', value: (r: unknown) => (r as { id: string }).id },
      { header: 'note', value: (r: unknown) => (r as { note?: string }).note },
    ];
    expect(toCsv(columns, [{ id: 'a', note: 'x, y' }, { id: 'b' }])).toBe('id,note\r\na,"x, y"\r\nb,\r\n');
  });

  it('should write objects as JSON text and keep a formula inside quotes neutralized', () => {
    const columns = [{ header: 'value', value: (r: unknown) => r }];
    expect(toCsv(columns, [{ a: 1 }, '=SUM("A1")'])).toBe('value\r\n"{""a"":1}"\r\n"\'=SUM(""A1"")"\r\n');
  });
});
