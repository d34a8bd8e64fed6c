import { randomBytes } from 'node:crypto';
import { canonicalJson } from '@agent-ledger/contracts';
import { decryptPii, encryptEventPii, ERASED_PII, isPiiEnvelope, PiiCipher, PiiKeyError, piiKeyIds, piiKeyNames, revealEventPii } from './index';

const tenantId = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';

describe(PiiCipher.name, () => {
  const cipher = new PiiCipher(randomBytes(32));

  it('should unwrap a data key it wrapped for the same tenant and key id', () => {
    const dk = cipher.generateDataKey(tenantId);

    expect(cipher.unwrapDataKey(dk.wrappedKey, tenantId, dk.keyId).equals(dk.key)).toBe(true);
    expect(dk.wrappedKey.includes(dk.key)).toBe(false);
  });

  it('should refuse to unwrap when the wrapped key is moved to another tenant or key id, altered, or wrapped by another master key', () => {
    const dk = cipher.generateDataKey(tenantId);
    const altered = Buffer.from(dk.wrappedKey);
    altered[altered.length - 1] ^= 1;

    expect(() => cipher.unwrapDataKey(dk.wrappedKey, '00000000-0000-4000-8000-000000000000', dk.keyId)).toThrow(PiiKeyError);
    expect(() => cipher.unwrapDataKey(dk.wrappedKey, tenantId, '11111111-1111-4111-8111-111111111111')).toThrow(PiiKeyError);
    expect(() => cipher.unwrapDataKey(altered, tenantId, dk.keyId)).toThrow(PiiKeyError);
    expect(() => new PiiCipher(randomBytes(32)).unwrapDataKey(dk.wrappedKey, tenantId, dk.keyId)).toThrow(/master key/);
  });

  it('should refuse a master key that is not 32 bytes', () => {
    expect(() => new PiiCipher(randomBytes(16))).toThrow(RangeError);
  });
});

describe(encryptEventPii.name, () => {
  const cipher = new PiiCipher(randomBytes(32));
  const subjectKey = cipher.generateDataKey(tenantId);
  const actorKey = cipher.generateDataKey(tenantId);
  const event = {
    eventId: 'e1',
    subject: { id: 'cust-1', pii: { email: 'jane@example.com', name: 'Jane Roe' } },
    actor: { type: 'user', id: 'u-1', ip: '203.0.113.9' },
  };

  it('should leave no clear text PII in the stored JSON and restore it for readers holding the keys', () => {
    const stored = encryptEventPii(event, { subject: subjectKey, actor: actorKey });
    const json = canonicalJson(stored);

    expect(json).not.toContain('jane@example.com');
    expect(json).not.toContain('203.0.113.9');
    expect(json).toContain('"id":"cust-1"');
    expect(isPiiEnvelope((stored.subject as { pii: unknown }).pii)).toBe(true);
    expect(piiKeyIds(stored).sort()).toEqual([subjectKey.keyId, actorKey.keyId].sort());
    const keys = new Map([[subjectKey.keyId, subjectKey.key], [actorKey.keyId, actorKey.key]]);
    expect(revealEventPii(JSON.parse(json), (kid) => keys.get(kid))).toEqual(event);
    expect(event.subject.pii.email).toBe('jane@example.com'); // not mutated
  });

  it('should read erased PII as $erased while other fields stay readable when a key is gone', () => {
    const stored = JSON.parse(canonicalJson(encryptEventPii(event, { subject: subjectKey, actor: actorKey })));

    const revealed = revealEventPii(stored, (kid) => (kid === actorKey.keyId ? actorKey.key : null));

    expect(revealed.subject).toEqual({ id: 'cust-1', pii: ERASED_PII });
    expect((revealed.actor as { ip: unknown }).ip).toBe('203.0.113.9');
  });

  it('should fail to decrypt when the ciphertext was altered or the key is wrong', () => {
    const env = (encryptEventPii(event, { subject: subjectKey, actor: actorKey }).subject as { pii: Parameters<typeof decryptPii>[0] }).pii;
    const ct = Buffer.from(env.ct, 'base64');
    ct[0] ^= 1;

    expect(() => decryptPii({ ...env, ct: ct.toString('base64') }, subjectKey.key)).toThrow(PiiKeyError);
    expect(() => decryptPii(env, actorKey.key)).toThrow(PiiKeyError);
  });

  it('should name the subject and actor keys an event needs when it carries PII', () => {
    expect(piiKeyNames(event)).toEqual({ subject: 'cust-1', actor: 'actor:u-1' });
    expect(piiKeyNames({ subject: { id: 'c' }, actor: { id: 'a' } })).toEqual({ subject: undefined, actor: undefined });
  });
});
