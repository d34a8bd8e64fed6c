import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { signCheckpoint, signingKeyId } from '@agent-ledger/integrity';
import { checkSignature, parseTrustedKeyList } from './trusted-keys';

const newKey = () => {
  const pair = generateKeyPairSync('ed25519');
  return { ...pair, keyId: signingKeyId(pair.publicKey), spki: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
};
const sign = (key: ReturnType<typeof newKey>, createdAt = '2026-06-01T00:00:00.000Z') =>
  signCheckpoint({ checkpointId: randomUUID(), tenantId: randomUUID(), createdAt, heads: [{ partition: 0, chainSeq: '1', hash: 'a'.repeat(64) }] }, key);

describe('trusted keys', () => {
  const current = newKey();
  const old = newKey();

  it('should accept a checkpoint signed by any listed key when its signature is valid', () => {
    const keys = parseTrustedKeyList(`${current.spki}, ${old.spki}`);
    expect(checkSignature(sign(current), keys)).toBeUndefined();
    expect(checkSignature(sign(old), keys)).toBeUndefined();
  });

  it('should refuse a checkpoint when its key is not listed or its signature does not match', () => {
    const keys = parseTrustedKeyList(current.spki);
    expect(checkSignature(sign(old), keys)).toBe('unknown_key');
    const cp = sign(current);
    expect(checkSignature({ ...cp, heads: [{ ...cp.heads[0], chainSeq: '2' }] }, keys)).toBe('bad_signature');
  });

  it('should refuse a checkpoint created outside its key validity window when from/until are given', () => {
    const keys = parseTrustedKeyList(`${old.spki};from=2026-01-01T00:00:00Z;until=2026-03-01T00:00:00Z`);
    expect(checkSignature(sign(old, '2026-02-01T00:00:00.000Z'), keys)).toBeUndefined();
    expect(checkSignature(sign(old, '2026-03-01T00:00:00.000Z'), keys)).toBe('key_not_valid_at');
    expect(checkSignature(sign(old, '2025-12-31T23:59:59.000Z'), keys)).toBe('key_not_valid_at');
  });

  it('should name the item when an item is malformed', () => {
    expect(() => parseTrustedKeyList(`${current.spki},bm90LWEta2V5`)).toThrow(/key 2: /);
    expect(() => parseTrustedKeyList(`${current.spki};since=2026-01-01`)).toThrow(/key 1: .*"since"/);
    expect(() => parseTrustedKeyList(' , ')).toThrow(/at least one/);
  });
});
