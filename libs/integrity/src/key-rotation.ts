import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { MASTER_KEY_BYTES, masterKeyId } from './key-derivation';

/**
 * The environment lines of key rotations (docs/keys.md), printed by `npm run keys -- …`. Pure: the
 * caller passes the current values and the time; nothing here reads the environment.
 */

/** An ISO-8601 instant without milliseconds. */
const instant = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A fresh Ed25519 key pair as the environment carries it: PKCS#8 DER and SPKI DER, base64. */
export function generateSigningKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

/** The public key (base64 SPKI DER) of a private key given as base64 PKCS#8 DER. */
export function publicKeyOf(privateKeyPkcs8: string): string {
  const key = createPrivateKey({ key: Buffer.from(privateKeyPkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  return createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** A fresh set of every secret the services take (`keys generate`). */
export function generateSecrets(): Record<'LEDGER_ROOT_KEY' | 'LEDGER_MASTER_KEY' | 'LEDGER_SIGNING_KEY' | 'LEDGER_SIGNING_PUBLIC_KEY', string> {
  const signing = generateSigningKeyPair();
  return {
    LEDGER_ROOT_KEY: randomBytes(32).toString('base64url'),
    LEDGER_MASTER_KEY: randomBytes(MASTER_KEY_BYTES).toString('base64'),
    LEDGER_SIGNING_KEY: signing.privateKey,
    LEDGER_SIGNING_PUBLIC_KEY: signing.publicKey,
  };
}

export interface SigningRotation {
  LEDGER_SIGNING_KEY: string;
  LEDGER_SIGNING_PUBLIC_KEY: string;
  /** base64 SPKI DER of the key closed by this rotation, when one was found. */
  closedKey?: string;
  validFrom: string;
  closedUntil: string;
}

/**
 * A new signing key, and the trusted-key list for verifiers: the new key first, valid from `now`;
 * the key being replaced (the one matching `currentPrivateKey`, else the list's first item) closed
 * with `until = now + graceMs` unless it already has an end; other items unchanged. Items are
 * `<base64 SPKI DER>[;from=<instant>][;until=<instant>]` (parsed by `parseTrustedKeys`).
 */
export function rotateSigningKey(currentList: string | undefined, currentPrivateKey: string | undefined, now: Date, graceMs: number): SigningRotation {
  const fresh = generateSigningKeyPair();
  const items = (currentList ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const keyOf = (item: string) => item.split(';')[0]!.trim();
  const current = currentPrivateKey ? publicKeyOf(currentPrivateKey) : undefined;
  let closeIndex = current ? items.findIndex((i) => keyOf(i) === current) : 0;
  if (current && closeIndex < 0) {
    items.unshift(current);
    closeIndex = 0;
  }
  const validFrom = instant(now);
  const closedUntil = instant(new Date(now.getTime() + graceMs));
  const closed = items.map((item, i) => (i === closeIndex && !/;\s*until=/.test(item) ? `${item};until=${closedUntil}` : item));
  return {
    LEDGER_SIGNING_KEY: fresh.privateKey,
    LEDGER_SIGNING_PUBLIC_KEY: [`${fresh.publicKey};from=${validFrom}`, ...closed].join(','),
    closedKey: items[closeIndex] ? keyOf(items[closeIndex]!) : undefined,
    validFrom,
    closedUntil,
  };
}

export interface MasterKeyLines {
  LEDGER_MASTER_KEY: string;
  LEDGER_PREVIOUS_MASTER_KEYS: string;
}

export interface MasterRotation {
  /** Stage 1, on every service first: the current key still wraps, the new one already unwraps. */
  distribute: MasterKeyLines;
  /** Stage 2, once every service runs stage 1: the new key wraps, the old one still unwraps (until `keys rewrap`). */
  switchOver: MasterKeyLines;
  newKeyId: string;
}

const keyList = (keys: (string | undefined)[]) => [...new Set(keys.flatMap((k) => (k ?? '').split(',')).map((s) => s.trim()).filter(Boolean))].join(',');

/**
 * A new master key in two stages, so that no service ever meets a wrap it cannot open during the
 * rolling restarts: first every service learns the new key (unwrap only), then it becomes current.
 */
export function rotateMasterKey(currentKey: string, previousKeys: string | undefined): MasterRotation {
  const fresh = randomBytes(MASTER_KEY_BYTES).toString('base64');
  return {
    distribute: { LEDGER_MASTER_KEY: currentKey, LEDGER_PREVIOUS_MASTER_KEYS: keyList([fresh, previousKeys]) },
    switchOver: { LEDGER_MASTER_KEY: fresh, LEDGER_PREVIOUS_MASTER_KEYS: keyList([currentKey, previousKeys]) },
    newKeyId: masterKeyId(Buffer.from(fresh, 'base64')),
  };
}

/** Milliseconds of a duration such as `90s`, `30m`, `12h`, `7d` (a bare number is milliseconds). */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Number(m[1]) * unit;
}
