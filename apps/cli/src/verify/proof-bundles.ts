import type { Checkpoint } from '@agent-ledger/contracts';

export const INCLUSION_BUNDLE_FORMAT = 'agent-ledger.inclusion-bundle.v1';
export const CONSISTENCY_BUNDLE_FORMAT = 'agent-ledger.consistency-bundle.v1';

/**
 * An offline proof that one event is in its tenant's log (docs/proofs.md): the event as stored, its
 * RFC 9162 inclusion proof, the signed tree head (a checkpoint with `tree`) and the public key that
 * signed it. Besides this one event it holds hashes only.
 */
export interface InclusionBundle {
  format: typeof INCLUSION_BUNDLE_FORMAT;
  event: { eventId: string; partition: number; chainSeq: string; prevHash: string; hash: string; eventJson: string };
  proof: { leafIndex: number; treeSize: number; hashes: string[] };
  treeHead: Checkpoint;
  /** base64 SPKI DER of the Ed25519 key that signed the tree head. */
  publicKey: string;
}

/**
 * An offline proof that a tenant's log only grew between two signed tree heads (docs/proofs.md):
 * both heads as signed, the RFC 9162 consistency proof from `from`'s tree to `to`'s, and the key
 * that signed them (two keys when the signing key was rotated between the heads). The sizes and roots are the signed heads' own; the bundle holds no event.
 */
export interface ConsistencyBundle {
  format: typeof CONSISTENCY_BUNDLE_FORMAT;
  from: Checkpoint;
  to: Checkpoint;
  /** The consistency proof, lowercase hex (empty when both heads have the same size). */
  hashes: string[];
  /** base64 SPKI DER of the Ed25519 key that signed `to` (and `from`, unless `fromPublicKey` is given). */
  publicKey: string;
  /** base64 SPKI DER of the key that signed `from`, when the signing key was rotated between the two heads. */
  fromPublicKey?: string;
}

export type ProofBundle = InclusionBundle | ConsistencyBundle;

/** The tree head an auditor holds once a bundle verifies: an inclusion bundle's, or a consistency bundle's `to`. */
export function newestTreeHeadOf(bundle: ProofBundle): Checkpoint | undefined {
  return bundle.format === CONSISTENCY_BUNDLE_FORMAT ? bundle.to : bundle.treeHead;
}

/** Recognises a parsed file as one of the two bundle formats (by `format`); undefined otherwise. */
export function asProofBundle(value: unknown): ProofBundle | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const format = (value as { format?: unknown }).format;
  return format === INCLUSION_BUNDLE_FORMAT || format === CONSISTENCY_BUNDLE_FORMAT ? (value as ProofBundle) : undefined;
}
