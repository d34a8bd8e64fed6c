import { RowCounter } from './row-counter';

function count(format: 'csv' | 'json' | 'jsonl', text: string, chunkSize = 3): number {
  const counter = new RowCounter(format);
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += chunkSize) counter.push(bytes.subarray(i, i + chunkSize));
  return counter.rows;
}

describe(RowCounter.name, () => {
  it('should count CSV rows without the header and without line breaks inside quotes', () => {
    expect(count('csv', 'a,b\r\n1,"x\r\ny"\r\n2,"say ""hi"""\r\n')).toBe(2);
    expect(count('csv', 'a,b\n1,2')).toBe(1);
    expect(count('csv', 'a,b\n')).toBe(0);
  });

  it('should count JSON lines whether or not the last one ends with a line break', () => {
    expect(count('jsonl', '{"a":1}\n{"a":"\\n"}\n')).toBe(2);
    expect(count('jsonl', '{"a":1}\n{"a":2}')).toBe(2);
    expect(count('jsonl', '')).toBe(0);
  });

  it('should count the objects of the outermost JSON array, ignoring braces in strings and nested objects', () => {
    expect(count('json', '[{"a":{"b":1}},{"s":"} { ] [ \\" {"}]', 1)).toBe(2);
    expect(count('json', '{"items":[{"a":1},{"a":2},{"a":3}],"nextCursor":null}')).toBe(3);
    expect(count('json', '[]')).toBe(0);
  });
});
