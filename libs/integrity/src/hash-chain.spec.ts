import { createHash } from 'node:crypto';
import { GENESIS_HASH, hashEvent } from './index';

describe(hashEvent.name, () => {
  it('should be SHA-256 over the previous hash followed by the UTF-8 JSON when given a genesis link', () => {
    const json = '{"note":"café ✓","type":"action.attempted"}';
    const expected = createHash('sha256').update(Buffer.concat([Buffer.alloc(32), Buffer.from(json, 'utf8')])).digest();

    expect(hashEvent(GENESIS_HASH, json).equals(expected)).toBe(true);
    expect(GENESIS_HASH.equals(Buffer.alloc(32))).toBe(true);
  });

  it('should change when the previous hash or a single character changes', () => {
    const a = hashEvent(GENESIS_HASH, '{"a":1}');

    expect(hashEvent(a, '{"a":1}').equals(a)).toBe(false);
    expect(hashEvent(GENESIS_HASH, '{"a":2}').equals(a)).toBe(false);
  });

  it('should refuse a previous hash that is not 32 bytes', () => {
    expect(() => hashEvent(Buffer.alloc(31), '{}')).toThrow(RangeError);
  });
});
