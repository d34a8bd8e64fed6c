import type { KeyObject } from 'node:crypto';
import type { Checkpoint } from '@agent-ledger/contracts';
import { loadPublicKey, signingKeyId, verifyCheckpointSignature } from '@agent-ledger/integrity';

/** A public key checkpoints may be signed with, and the window its checkpoints' createdAt must fall in. */
export interface WitnessTrustedKey {
  keyId: string;
  publicKey: KeyObject;
  validFrom?: Date;
  validUntil?: Date;
}

export type TrustedKeySet = ReadonlyMap<string, WitnessTrustedKey>;

/** Why a checkpoint is not accepted as signed by a trusted key. */
export type SignatureRefusal = 'unknown_key' | 'key_not_valid_at' | 'bad_signature';

/**
 * Parses `LEDGER_SIGNING_PUBLIC_KEY`: comma-separated items `<base64 SPKI DER>[;from=<instant>][;until=<instant>]`.
 * Throws a message naming the item (by position, never its value) that is wrong.
 */
export function parseTrustedKeyList(value: string): TrustedKeySet {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new Error('must list at least one public key');
  const keys = new Map<string, WitnessTrustedKey>();
  items.forEach((item, i) => {
    const [der, ...params] = item.split(';').map((s) => s.trim());
    let publicKey: KeyObject;
    try {
      publicKey = loadPublicKey(der);
    } catch (err) {
      throw new Error(`item ${i + 1}: ${(err as Error).message}`);
    }
    const key: WitnessTrustedKey = { keyId: signingKeyId(publicKey), publicKey };
    for (const param of params) {
      const [name, instant] = param.split('=', 2);
      const at = instant ? new Date(instant) : undefined;
      if (!at || Number.isNaN(at.getTime()) || !['from', 'until'].includes(name)) {
        throw new Error(`item ${i + 1}: "${name}" must be from=<ISO-8601 instant> or until=<ISO-8601 instant>`);
      }
      if (name === 'from') key.validFrom = at;
      else key.validUntil = at;
    }
    keys.set(key.keyId, key);
  });
  return keys;
}

/** Checks a checkpoint's signature against the trusted keys: undefined when it is trusted, else why not. */
export function checkSignature(checkpoint: Checkpoint, keys: TrustedKeySet): SignatureRefusal | undefined {
  const key = keys.get(checkpoint.keyId);
  if (!key) return 'unknown_key';
  if (!verifyCheckpointSignature(checkpoint, key.publicKey)) return 'bad_signature';
  const at = Date.parse(checkpoint.createdAt);
  if ((key.validFrom && at < key.validFrom.getTime()) || (key.validUntil && at >= key.validUntil.getTime())) return 'key_not_valid_at';
  return undefined;
}
