import { canonicalJson } from './canonical-json';

/** The head of one hash chain (one chain per tenant and Kafka partition) at checkpoint time. */
export interface CheckpointHead {
  partition: number;
  /** Sequence number of the head row: a bigint as a decimal string. */
  chainSeq: string;
  /** SHA-256 of the head row, lowercase hex. */
  hash: string;
}

/** A signed statement of all chain heads of a tenant at a point in time (Ed25519). */
export interface Checkpoint {
  /** Lowercase UUID. */
  checkpointId: string;
  tenantId: string;
  /** RFC 3339. */
  createdAt: string;
  /** One entry per partition, in ascending partition order. */
  heads: CheckpointHead[];
  /** Which signing key; lets verifiers pick the public key after a key rotation. */
  keyId: string;
  /** Ed25519 signature over {@link checkpointSigningPayload}, base64. */
  signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

/**
 * The bytes that are signed and verified: the UTF-8 canonical JSON of the checkpoint without its
 * `signature`. Accepts a signed checkpoint too (the signature is left out).
 */
export function checkpointSigningPayload(checkpoint: UnsignedCheckpoint | Checkpoint): Buffer {
  const unsigned: Record<string, unknown> = { ...checkpoint };
  delete unsigned.signature;
  return Buffer.from(canonicalJson(unsigned), 'utf8');
}
