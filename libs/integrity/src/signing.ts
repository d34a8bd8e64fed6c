import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { checkpointSigningPayload, type Checkpoint, type CheckpointHead } from '@agent-ledger/contracts';

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
}

/**
 * Signs the chain heads of a tenant: Ed25519 over `checkpointSigningPayload` (canonical JSON of the
 * checkpoint without its signature, the key id included). Heads are put in ascending partition order.
 */
export function signCheckpoint(content: CheckpointContent, key: SigningKey): Checkpoint {
  const unsigned = {
    checkpointId: content.checkpointId,
    tenantId: content.tenantId,
    createdAt: content.createdAt,
    heads: [...content.heads].sort((a, b) => a.partition - b.partition).map((h) => ({ partition: h.partition, chainSeq: h.chainSeq, hash: h.hash })),
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
