import type { Checkpoint } from '@agent-ledger/contracts';
import { keyValidAt, parseTrustedKeys, verifyCheckpointSignature, type TrustedKey } from '@agent-ledger/integrity';

/** The trusted keys by key id (a key listed twice, with two windows, has two entries). */
export type TrustedKeySet = ReadonlyMap<string, readonly TrustedKey[]>;

/** Why a checkpoint is not accepted as signed by a trusted key. */
export type SignatureRefusal = 'unknown_key' | 'key_not_valid_at' | 'bad_signature';

/**
 * Parses `LEDGER_SIGNING_PUBLIC_KEY` (comma-separated `<base64 SPKI DER>[;from=<instant>][;until=<instant>]`,
 * with libs/integrity's `parseTrustedKeys`). Throws a message naming the item that is wrong.
 */
export function parseTrustedKeyList(value: string): TrustedKeySet {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new Error('must list at least one public key');
  const keys = new Map<string, TrustedKey[]>();
  for (const key of parseTrustedKeys(items)) keys.set(key.keyId, [...(keys.get(key.keyId) ?? []), key]);
  return keys;
}

/** Checks a checkpoint's signature against the trusted keys: undefined when it is trusted, else why not. */
export function checkSignature(checkpoint: Checkpoint, keys: TrustedKeySet): SignatureRefusal | undefined {
  const candidates = keys.get(checkpoint.keyId);
  if (!candidates?.length) return 'unknown_key';
  if (!verifyCheckpointSignature(checkpoint, candidates[0].publicKey)) return 'bad_signature';
  return candidates.some((k) => keyValidAt(k, checkpoint.createdAt)) ? undefined : 'key_not_valid_at';
}
