import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { checkpointSigningPayload, type Checkpoint, type CheckpointHead, type CheckpointTree } from '@agent-ledger/contracts';

/** An Ed25519 key pair that signs checkpoints, with the id verifiers look the public key up by. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

/** Key id of a public key: the first 16 hex characters of SHA-256 over its SPKI DER encoding. */
export function signingKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** Parses an Ed25519 private key given as base64 PKCS#8 DER; throws a descriptive error otherwise. */
export function loadSigningKey(pkcs8DerBase64: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(pkcs8DerBase64, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new Error('signing key must be base64 PKCS#8 DER');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`signing key must be Ed25519 (is ${privateKey.asymmetricKeyType ?? 'unknown'})`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: signingKeyId(publicKey) };
}

/** Parses an Ed25519 public key given as base64 SPKI DER. */
export function loadPublicKey(spkiDerBase64: string): KeyObject {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spkiDerBase64, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new Error('public key must be base64 SPKI DER');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`public key must be Ed25519 (is ${publicKey.asymmetricKeyType ?? 'unknown'})`);
  return publicKey;
}

export interface CheckpointContent {
  checkpointId: string;
  tenantId: string;
  createdAt: string;
  heads: CheckpointHead[];
  /** The tenant's Merkle tree head read with the heads (signed when present). */
  tree?: CheckpointTree;
}

/**
 * Signs the chain heads of a tenant (and its Merkle tree head when given): Ed25519 over
 * `checkpointSigningPayload` (canonical JSON of the checkpoint without its signature, the key id
 * included). Heads are put in ascending partition order.
 */
export function signCheckpoint(content: CheckpointContent, key: SigningKey): Checkpoint {
  const unsigned = {
    checkpointId: content.checkpointId,
    tenantId: content.tenantId,
    createdAt: content.createdAt,
    heads: [...content.heads].sort((a, b) => a.partition - b.partition).map((h) => ({ partition: h.partition, chainSeq: h.chainSeq, hash: h.hash })),
    ...(content.tree ? { tree: { size: content.tree.size, rootHash: content.tree.rootHash } } : {}),
    keyId: key.keyId,
  };
  const signature = sign(null, checkpointSigningPayload(unsigned), key.privateKey).toString('base64');
  return { ...unsigned, signature };
}

/** True when the checkpoint's signature is a valid Ed25519 signature of its payload by `publicKey`. */
export function verifyCheckpointSignature(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, checkpointSigningPayload(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Rebuilds a checkpoint from what `checkpoints` stores: `payload` (the exact signed canonical JSON)
 * and `signature`. The `heads` jsonb column is for queries only; the payload is what is verified.
 */
export function parseStoredCheckpoint(payload: string, signature: string): Checkpoint {
  return { ...(JSON.parse(payload) as Omit<Checkpoint, 'signature'>), signature };
}

/** A public key verifiers trust for checkpoints, with the window of time its checkpoints may be created in. */
export interface TrustedKey {
  keyId: string;
  publicKey: KeyObject;
  /** Checkpoints signed by this key must have createdAt ≥ validFrom (absent: no lower bound). */
  validFrom?: Date;
  /** … and createdAt < validUntil (absent: no upper bound). */
  validUntil?: Date;
}

function parseInstant(item: number, name: string, value: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new Error(`trusted key ${item}: ${name} must be an ISO-8601 instant (is "${value}")`);
  return new Date(ms);
}

/**
 * Parses the items of LEDGER_SIGNING_PUBLIC_KEY (already split at commas): each is a base64 SPKI
 * DER Ed25519 public key, optionally followed by `;from=<ISO-8601>` and/or `;until=<ISO-8601>`, the
 * window [from, until) a checkpoint signed by it must be created in. A bare key is valid at any time.
 * Throws naming the item (1-based) that is not a key or has a bad window.
 */
export function parseTrustedKeys(items: readonly string[]): TrustedKey[] {
  return items.map((raw, i) => {
    const [keyText, ...attributes] = raw.trim().split(';').map((s) => s.trim());
    let publicKey: KeyObject;
    try {
      publicKey = loadPublicKey(keyText);
    } catch (err) {
      throw new Error(`trusted key ${i + 1}: ${(err as Error).message}`);
    }
    const key: TrustedKey = { keyId: signingKeyId(publicKey), publicKey };
    for (const attr of attributes.filter(Boolean)) {
      const eq = attr.indexOf('=');
      const [name, value] = eq < 0 ? [attr, ''] : [attr.slice(0, eq).trim(), attr.slice(eq + 1).trim()];
      if (name === 'from') key.validFrom = parseInstant(i + 1, name, value);
      else if (name === 'until') key.validUntil = parseInstant(i + 1, name, value);
      else throw new Error(`trusted key ${i + 1}: unknown attribute "${name}" (expected from= or until=)`);
    }
    if (key.validFrom && key.validUntil && key.validFrom >= key.validUntil) throw new Error(`trusted key ${i + 1}: from must be before until`);
    return key;
  });
}

/** True when a checkpoint created at `createdAt` lies in the key's validity window [validFrom, validUntil). */
export function keyValidAt(key: TrustedKey, createdAt: string): boolean {
  const at = Date.parse(createdAt);
  if (Number.isNaN(at)) return false;
  return (!key.validFrom || at >= key.validFrom.getTime()) && (!key.validUntil || at < key.validUntil.getTime());
}
