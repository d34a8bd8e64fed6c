import { randomBytes } from 'node:crypto';
import { masterKeyId } from './key-derivation';
import { generateSecrets, generateSigningKeyPair, parseDurationMs, rotateMasterKey, rotateSigningKey } from './key-rotation';
import { keyValidAt, loadSigningKey, parseTrustedKeys, signingKeyId } from './signing';

const now = new Date('2026-12-04T18:00:00.000Z');
const day = 86_400_000;

describe(rotateSigningKey.name, () => {
  it('should put the new key first from now and close the current one after the grace when rotating', () => {
    const old = generateSigningKeyPair();
    const older = `${generateSigningKeyPair().publicKey};until=2026-06-01T00:00:00Z`;

    const r = rotateSigningKey(`${old.publicKey},${older}`, old.privateKey, now, day);
    const trusted = parseTrustedKeys(r.LEDGER_SIGNING_PUBLIC_KEY.split(','));

    expect(r.LEDGER_SIGNING_PUBLIC_KEY.split(',')).toEqual([
      `${r.LEDGER_SIGNING_PUBLIC_KEY.split(';')[0]};from=2026-12-04T18:00:00Z`,
      `${old.publicKey};until=2026-12-05T18:00:00Z`,
      older,
    ]);
    expect(trusted[0]!.keyId).toBe(loadSigningKey(r.LEDGER_SIGNING_KEY).keyId);
    expect(keyValidAt(trusted[0]!, '2026-12-04T17:59:59Z')).toBe(false);
    expect(keyValidAt(trusted[1]!, '2026-12-05T17:59:59Z')).toBe(true);
    expect(keyValidAt(trusted[1]!, '2026-12-05T18:00:00Z')).toBe(false);
    expect(r.closedKey).toBe(old.publicKey);
  });

  it('should close the key of the configured private key and add it when it was missing from the list', () => {
    const listed = generateSigningKeyPair();
    const signing = generateSigningKeyPair();

    const items = rotateSigningKey(listed.publicKey, signing.privateKey, now, day).LEDGER_SIGNING_PUBLIC_KEY.split(',');

    expect(items.slice(1)).toEqual([`${signing.publicKey};until=2026-12-05T18:00:00Z`, listed.publicKey]);
  });

  it('should list only the new key when there was none', () => {
    const r = rotateSigningKey(undefined, undefined, now, day);

    expect(parseTrustedKeys(r.LEDGER_SIGNING_PUBLIC_KEY.split(',')).map((k) => k.keyId)).toEqual([signingKeyId(loadSigningKey(r.LEDGER_SIGNING_KEY).publicKey)]);
    expect(r.closedKey).toBeUndefined();
  });
});

describe(rotateMasterKey.name, () => {
  it('should first add the new key as an unwrap-only key, then make it current with the old one previous, when rotating', () => {
    const current = randomBytes(32).toString('base64');
    const previous = randomBytes(32).toString('base64');

    const r = rotateMasterKey(current, `${previous},${current}`);
    const fresh = r.switchOver.LEDGER_MASTER_KEY;

    expect(r.distribute).toEqual({ LEDGER_MASTER_KEY: current, LEDGER_PREVIOUS_MASTER_KEYS: `${fresh},${previous},${current}` });
    expect(r.switchOver.LEDGER_PREVIOUS_MASTER_KEYS).toBe(`${current},${previous}`);
    expect(Buffer.from(fresh, 'base64')).toHaveLength(32);
    expect(r.newKeyId).toBe(masterKeyId(Buffer.from(fresh, 'base64')));
  });
});

describe(generateSecrets.name, () => {
  it('should generate different values of the expected sizes each time', () => {
    const a = generateSecrets();
    const b = generateSecrets();

    expect(Buffer.from(a.LEDGER_MASTER_KEY, 'base64')).toHaveLength(32);
    expect(a.LEDGER_ROOT_KEY.length).toBeGreaterThanOrEqual(32);
    expect(loadSigningKey(a.LEDGER_SIGNING_KEY).keyId).toBe(parseTrustedKeys([a.LEDGER_SIGNING_PUBLIC_KEY])[0]!.keyId);
    expect(Object.values(a).some((v, i) => v === Object.values(b)[i])).toBe(false);
  });
});

describe(parseDurationMs.name, () => {
  it('should read units and refuse anything else', () => {
    expect([parseDurationMs('7d'), parseDurationMs('12h'), parseDurationMs('1500')]).toEqual([7 * day, day / 2, 1500]);
    expect(parseDurationMs('soon')).toBeUndefined();
  });
});
