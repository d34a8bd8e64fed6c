import { generateKeyPairSync, createHash } from 'node:crypto';
import { keyValidAt, loadPublicKey, loadSigningKey, parseStoredCheckpoint, parseTrustedKeys, signCheckpoint, signingKeyId, verifyCheckpointSignature } from './index';
import { checkpointSigningPayload } from '@agent-ledger/contracts';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateB64: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    publicB64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

const content = {
  checkpointId: '7b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  tenantId: '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d',
  createdAt: '2026-11-22T10:00:00.000Z',
  heads: [
    { partition: 2, chainSeq: '7', hash: 'b'.repeat(64) },
    { partition: 0, chainSeq: '12', hash: 'a'.repeat(64) },
  ],
};

describe('checkpoint signing', () => {
  it('should derive the key id from the first 16 hex of SHA-256 of the SPKI key', () => {
    const { privateB64, publicB64 } = keyPair();
    const key = loadSigningKey(privateB64);

    expect(key.keyId).toBe(createHash('sha256').update(Buffer.from(publicB64, 'base64')).digest('hex').slice(0, 16));
    expect(signingKeyId(loadPublicKey(publicB64))).toBe(key.keyId);
  });

  it('should verify a signed checkpoint with heads in partition order when signed', () => {
    const { privateB64, publicB64 } = keyPair();
    const cp = signCheckpoint(content, loadSigningKey(privateB64));

    expect(cp.heads.map((h) => h.partition)).toEqual([0, 2]);
    expect(verifyCheckpointSignature(cp, loadPublicKey(publicB64))).toBe(true);
  });

  it('should not verify when a head was changed or another key is used', () => {
    const a = keyPair();
    const b = keyPair();
    const cp = signCheckpoint(content, loadSigningKey(a.privateB64));

    expect(verifyCheckpointSignature({ ...cp, heads: [{ ...cp.heads[0], chainSeq: '11' }, cp.heads[1]] }, loadPublicKey(a.publicB64))).toBe(false);
    expect(verifyCheckpointSignature(cp, loadPublicKey(b.publicB64))).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, signature: 'not-base64!!' }, loadPublicKey(a.publicB64))).toBe(false);
  });

  it('should rebuild a verifiable checkpoint from its stored payload and signature', () => {
    const { privateB64, publicB64 } = keyPair();
    const cp = signCheckpoint(content, loadSigningKey(privateB64));
    const payload = checkpointSigningPayload(cp).toString('utf8');

    expect(verifyCheckpointSignature(parseStoredCheckpoint(payload, cp.signature), loadPublicKey(publicB64))).toBe(true);
  });

  it('should reject keys that are not Ed25519 or not DER when loaded', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');

    expect(() => loadSigningKey(rsa)).toThrow(/Ed25519/);
    expect(() => loadSigningKey('bm90IGEga2V5')).toThrow(/PKCS#8/);
    expect(() => loadPublicKey('bm90IGEga2V5')).toThrow(/SPKI/);
  });
});

describe(parseTrustedKeys.name, () => {
  it('should read a bare key as valid at any time and a key with from/until as its window', () => {
    const a = keyPair().publicB64;
    const b = keyPair().publicB64;

    const [bare, windowed] = parseTrustedKeys([a, `${b};from=2026-01-01T00:00:00Z;until=2026-07-01T00:00:00Z`]);

    expect(bare).toMatchObject({ keyId: signingKeyId(loadPublicKey(a)) });
    expect(bare.validFrom).toBeUndefined();
    expect(windowed.validFrom?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(windowed.validUntil?.toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(keyValidAt(windowed, '2026-06-30T23:59:59.999Z')).toBe(true);
    expect(keyValidAt(windowed, '2026-07-01T00:00:00.000Z')).toBe(false);
    expect(keyValidAt(windowed, '2025-12-31T23:59:59.999Z')).toBe(false);
  });

  it('should name the item when a key, an instant or an attribute is wrong', () => {
    const a = keyPair().publicB64;

    expect(() => parseTrustedKeys([a, 'bm90IGEga2V5'])).toThrow('trusted key 2: public key must be base64 SPKI DER');
    expect(() => parseTrustedKeys([`${a};from=yesterday`])).toThrow('trusted key 1: from must be an ISO-8601 instant');
    expect(() => parseTrustedKeys([`${a};since=2026-01-01T00:00:00Z`])).toThrow('unknown attribute "since"');
    expect(() => parseTrustedKeys([`${a};from=2026-02-01T00:00:00Z;until=2026-01-01T00:00:00Z`])).toThrow('from must be before until');
  });
});
