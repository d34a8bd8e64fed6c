import { createCipheriv, randomBytes } from 'node:crypto';
import { KEY_PURPOSES, MasterKeyring, masterKeyId } from './key-derivation';
import { describeWrap, KeyWrapper, PiiKeyError, WRAP_FORMATS, webhookSecretWrapper } from './key-wrapper';
import { PiiCipher } from './pii-cipher';

const tenantId = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';
const name = '0b6f3f0e-3c1d-4c49-8a53-5a0f1c2d3e4f';

/** A wrap as made before keys per purpose (format 1: AES-256-GCM under the master key itself). */
function formatOneWrap(master: Buffer, secret: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master, iv);
  cipher.setAAD(Buffer.from(`agent-ledger/dek/v1|${tenantId}|${name}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(secret), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), Buffer.from(masterKeyId(master), 'hex'), iv, cipher.getAuthTag(), ct]);
}

describe(KeyWrapper.name, () => {
  const master = randomBytes(32);
  const secret = randomBytes(32);

  it('should record format 2 and the current master key id when it wraps', () => {
    const wrapped = new PiiCipher(master).wrapDataKey(secret, tenantId, name);

    expect(describeWrap(wrapped)).toEqual({ format: WRAP_FORMATS.derivedKey, masterKeyId: masterKeyId(master) });
    expect(new PiiCipher(master).unwrapDataKey(wrapped, tenantId, name).equals(secret)).toBe(true);
  });

  it('should still unwrap a format-1 wrap made under the raw master key when it is in the keyring', () => {
    const old = formatOneWrap(master, secret);

    expect(new PiiCipher(master).unwrapDataKey(old, tenantId, name).equals(secret)).toBe(true);
    expect(webhookSecretWrapper(new MasterKeyring(randomBytes(32), [master])).unwrap(old, tenantId, name).equals(secret)).toBe(true);
  });

  it('should not open a wrap of one purpose with the key of another when both come from one master key', () => {
    const wrapped = new PiiCipher(master).wrapDataKey(secret, tenantId, name);

    expect(() => webhookSecretWrapper(master).unwrap(wrapped, tenantId, name)).toThrow(PiiKeyError);
  });

  it('should refuse a wrap whose header was altered when the format is 2', () => {
    const wrapped = new PiiCipher(master).wrapDataKey(secret, tenantId, name);
    const downgraded = Buffer.from(wrapped);
    downgraded[0] = WRAP_FORMATS.masterKey;

    expect(() => new PiiCipher(master).unwrapDataKey(downgraded, tenantId, name)).toThrow(PiiKeyError);
  });

  it('should unwrap with a previous master key and name an unknown one when the key rotated', () => {
    const next = randomBytes(32);
    const wrapped = new PiiCipher(master).wrapDataKey(secret, tenantId, name);

    expect(new PiiCipher(new MasterKeyring(next, [master])).unwrapDataKey(wrapped, tenantId, name).equals(secret)).toBe(true);
    expect(() => new PiiCipher(next).unwrapDataKey(wrapped, tenantId, name)).toThrow(new RegExp(`master key ${masterKeyId(master)}`));
  });

  it('should rewrap old-format and previous-key wraps once and leave current ones alone when rewrapping twice', () => {
    const next = randomBytes(32);
    const ring = new KeyWrapper(new MasterKeyring(next, [master]), KEY_PURPOSES.subjectKeys);
    for (const old of [formatOneWrap(master, secret), new PiiCipher(master).wrapDataKey(secret, tenantId, name)]) {
      expect(ring.isCurrent(old)).toBe(false);
      const rewrapped = ring.rewrap(old, tenantId, name)!;

      expect(describeWrap(rewrapped)).toEqual({ format: WRAP_FORMATS.derivedKey, masterKeyId: masterKeyId(next) });
      expect(new PiiCipher(next).unwrapDataKey(rewrapped, tenantId, name).equals(secret)).toBe(true);
      expect(ring.rewrap(rewrapped, tenantId, name)).toBeUndefined();
    }
  });

  it('should report an unknown format when the bytes are not a wrapped key', () => {
    expect(describeWrap(randomBytes(10))).toBeUndefined();
    expect(() => new PiiCipher(master).unwrapDataKey(Buffer.alloc(69, 7), tenantId, name)).toThrow(/unknown format/);
  });
});
