import { attachmentName, toSearch } from './client';

describe(toSearch.name, () => {
  it('should leave out empty, null and undefined values and encode the rest', () => {
    expect(toSearch({ a: 'x y', b: '', c: undefined, d: null, e: 0, f: false })).toBe('?a=x+y&e=0&f=false');
    expect(toSearch({})).toBe('');
  });
});

describe(attachmentName.name, () => {
  it('should take the file name from Content-Disposition and strip path characters', () => {
    expect(attachmentName('attachment; filename="agent-ledger-events-2026.csv"', 'x.csv')).toBe('agent-ledger-events-2026.csv');
    expect(attachmentName("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.json", 'x.json')).toBe('résumé.json');
    expect(attachmentName('attachment; filename="../../etc/passwd"', 'x')).toBe('..-..-etc-passwd');
  });

  it('should fall back when there is no usable name', () => {
    expect(attachmentName(null, 'fallback.csv')).toBe('fallback.csv');
    expect(attachmentName('attachment', 'fallback.csv')).toBe('fallback.csv');
  });
});
