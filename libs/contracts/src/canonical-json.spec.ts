import { canonicalJson } from './index';

describe(canonicalJson.name, () => {
  it('should produce the same string when the same object is built with keys in another order', () => {
    const a = { b: 1, a: { y: [1, { d: 4, c: 3 }], x: null }, c: 'z' };
    const b = { c: 'z', a: { x: null, y: [1, { c: 3, d: 4 }] }, b: 1 };

    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":null,"y":[1,{"c":3,"d":4}]},"b":1,"c":"z"}');
  });

  it('should keep array order when arrays hold the same items differently ordered', () => {
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('should sort keys by UTF-16 code units when keys are non-ASCII (RFC 8785 §3.2.3 example)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };

    // An emoji (surrogate pair D83D DE00) sorts before U+FB33 in UTF-16 order, after it by code point.
    // (Read the string itself: JSON.parse would move the integer-like key "1" first.)
    const expectedOrder = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    const expected = `{${expectedOrder.map((k) => `${JSON.stringify(k)}:${JSON.stringify(value[k as keyof typeof value])}`).join(',')}}`;

    expect(canonicalJson(value)).toBe(expected);
  });

  it('should serialize numbers, strings and literals as RFC 8785 does (its §3.2.2 example)', () => {
    const value = {
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000f\u000aA\'\u0042\u0022\u005c\\"/',
      literals: [null, true, false],
    };

    expect(canonicalJson(value)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('should write -0 as 0 and integers without a fraction', () => {
    expect(canonicalJson({ a: -0, b: 10.0, c: -1.5 })).toBe('{"a":0,"b":10,"c":-1.5}');
  });

  it('should drop undefined properties and write undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1], c: () => 1 })).toBe('{"b":[null,1]}');
  });

  it('should keep nulls when they are values', () => {
    expect(canonicalJson({ a: null, b: [null] })).toBe('{"a":null,"b":[null]}');
  });

  it('should emit no whitespace when values are nested deeply', () => {
    const out = canonicalJson({ a: [{ b: [{ c: { d: [[], {}] } }] }] });

    expect(out).toBe('{"a":[{"b":[{"c":{"d":[[],{}]}}]}]}');
  });

  it('should use toJSON when a value defines it', () => {
    expect(canonicalJson({ at: new Date('2025-03-01T10:00:00Z') })).toBe('{"at":"2025-03-01T10:00:00.000Z"}');
  });

  it('should equal JSON.stringify when the object is flat and its keys are already sorted', () => {
    const value = { a: 'é\u2028', b: 1.25, c: true, d: 'line\nbreak' };

    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it.each([[NaN], [Infinity], [BigInt(1)]])('should throw a TypeError when a value is %p', (bad) => {
    expect(() => canonicalJson({ a: bad })).toThrow(TypeError);
  });

  it('should throw a TypeError when the top-level value is undefined', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('should throw a TypeError when the structure is circular', () => {
    const a: Record<string, unknown> = {};
    a.b = { a };

    expect(() => canonicalJson(a)).toThrow(TypeError);
  });

  it('should accept the same object twice when it is shared but not circular', () => {
    const shared = { x: 1 };

    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});
