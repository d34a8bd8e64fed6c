import { canonicalJson } from './canonical-json';

/** The head of one hash chain (one chain per tenant and Kafka partition) at checkpoint time. */
export interface CheckpointHead {
  partition: number;
  /** Sequence number of the head row: a bigint as a decimal string. */
  chainSeq: string;
  /** SHA-256 of the head row, lowercase hex. */
  hash: string;
}

/**
 * A signed tree head: the size and root of the tenant's RFC 9162 Merkle tree over its events in log
 * order (docs/proofs.md). Added to checkpoints after v1's first release: a checkpoint without it is
 * still valid, and a verifier that does not know it ignores it (it is signed either way).
 */
export interface CheckpointTree {
  /** Number of leaves: a non-negative 64-bit integer as a decimal string. */
  size: string;
  /** The tree's root hash (SHA-256), lowercase hex. */
  rootHash: string;
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
  /** The tenant's Merkle tree at the same moment as the heads (absent in checkpoints written before the tree existed). */
  tree?: CheckpointTree;
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
