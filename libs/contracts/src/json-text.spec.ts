import { checkJsonText, unsafeTextReason } from './json-text';

describe('checkJsonText', () => {
  it('should accept ordinary text, emoji and well-formed surrogate pairs', () => {
    expect(checkJsonText({ a: 'héllo 👋', b: ['x', { c: '\uD83D\uDE00' }] })).toEqual([]);
  });

  it('should name the field when a string holds NUL or a lone surrogate', () => {
    expect(checkJsonText({ a: { b: 'x\u0000y' } })).toEqual([expect.objectContaining({ pointer: '/a/b', code: 'text' })]);
    expect(checkJsonText({ list: ['ok', 'bad\uD800'] })).toEqual([expect.objectContaining({ pointer: '/list/1', code: 'text' })]);
    expect(checkJsonText({ k: '\uDC00lead' })[0].pointer).toBe('/k');
  });

  it('should name the key when an object key holds NUL', () => {
    expect(checkJsonText({ outer: { 'a\u0000': 1 } })).toEqual([expect.objectContaining({ pointer: '/outer/a\u0000', code: 'text' })]);
  });

  it('should refuse nesting deeper than the limit without exhausting the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const errors = checkJsonText(deep);
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('depth');
    expect(checkJsonText(nest(64))).toEqual([]);
    expect(checkJsonText(nest(65))[0].code).toBe('depth');
  });

  it('should describe why text is unsafe without echoing it', () => {
    expect(unsafeTextReason('fine')).toBeUndefined();
    expect(unsafeTextReason('a\u0000b')).toMatch(/NUL/);
    expect(unsafeTextReason('\uD800')).toMatch(/surrogate/);
  });
});

function nest(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { v };
  return v;
}
