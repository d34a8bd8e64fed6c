import { randomBytes } from 'node:crypto';
import { deriveKey, KEY_PURPOSES, MasterKeyring, masterKeyId } from './key-derivation';

describe(deriveKey.name, () => {
  // Computed independently (HMAC-SHA256 by hand, RFC 5869: PRK = HMAC(zeros(32), IKM), OKM = HMAC(PRK, info ‖ 0x01)).
  const master = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

  it('should match the known-answer vector of each purpose when given the master key 00..1f', () => {
    expect(deriveKey(master, KEY_PURPOSES.subjectKeys).toString('hex')).toBe('e05196de975f71c08a321bdef0a66db4aef11d004ac8e0d9e97e0c2eda29c63e');
    expect(deriveKey(master, KEY_PURPOSES.webhookSecrets).toString('hex')).toBe('a31e590fa429cf8df12a08bb4c8d0a3744682d83428df4519efdc9f3b455babd');
  });

  it('should give each purpose its own key, neither equal to the master key, when derived from one master key', () => {
    const a = deriveKey(master, KEY_PURPOSES.subjectKeys);
    const b = deriveKey(master, KEY_PURPOSES.webhookSecrets);

    expect(a.equals(b)).toBe(false);
    expect(a.equals(master) || b.equals(master)).toBe(false);
    expect(a).toHaveLength(32);
  });
});

describe(MasterKeyring.name, () => {
  it('should hold the current key first and the previous ones after it when given both', () => {
    const current = randomBytes(32);
    const previous = [randomBytes(32), randomBytes(32)];
    const ring = new MasterKeyring(current, [...previous, current]);

    expect(ring.currentId).toBe(masterKeyId(current));
    expect(ring.ids).toEqual([current, ...previous].map(masterKeyId));
    expect(ring.derivedKey(masterKeyId(previous[1]!), KEY_PURPOSES.subjectKeys)!.equals(deriveKey(previous[1]!, KEY_PURPOSES.subjectKeys))).toBe(true);
    expect(ring.derivedKey('0000000000000000', KEY_PURPOSES.subjectKeys)).toBeUndefined();
  });

  it('should refuse a key that is not 32 bytes when current or previous', () => {
    expect(() => new MasterKeyring(randomBytes(16))).toThrow(RangeError);
    expect(() => new MasterKeyring(randomBytes(32), [randomBytes(31)])).toThrow(RangeError);
  });
});
