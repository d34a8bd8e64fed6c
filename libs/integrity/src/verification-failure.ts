export type VerificationFailureKind =
  /** `hash` ≠ SHA-256(prev_hash ‖ event_json): the row's event (or its hash) was edited. */
  | 'hash_mismatch'
  /** `prev_hash` ≠ the hash of the previous row: a row before it was replaced or re-hashed. */
  | 'prev_hash_mismatch'
  /** chain_seq jumps forward: rows were deleted. */
  | 'sequence_gap'
  /** chain_seq repeats or goes back: a row was inserted or rows were reordered. */
  | 'sequence_duplicate'
  /** A query column does not match what event_json says. */
  | 'derived_mismatch'
  /** event_json is not a storable event object. */
  | 'malformed_event'
  /** A row's hash differs from the hash a signed checkpoint recorded for that chain_seq (history rewritten). */
  | 'checkpoint_mismatch'
  /** The chain ends before the chain_seq a signed checkpoint (or its chain_heads row) recorded: rows were removed from its end. */
  | 'truncated'
  /** The chain_heads row of a chain is behind its last row, names another hash, or is missing. */
  | 'head_mismatch'
  /** Two validly signed checkpoints disagree about the same chain position. */
  | 'checkpoint_conflict'
  /** A later checkpoint signs a lower chain_seq than an earlier one, or leaves out a chain an earlier one signed. */
  | 'checkpoint_regression'
  /** A checkpoint in the external checkpoint log is not in the database (deleted). */
  | 'checkpoint_missing'
  | 'bad_checkpoint_signature'
  | 'unknown_checkpoint_key'
  /** The checkpoint's createdAt lies outside the validity window of the key that signed it. */
  | 'key_outside_validity'
  /** A `retention.purged` record names an anchor no validly signed checkpoint signed (docs/retention.md). */
  | 'purge_anchor_unsigned'
  /** An archive a purge wrote is not in the archive store (or its manifest is not). */
  | 'archive_missing'
  /** An archive object's bytes, or its manifest, differ from what the purge recorded. */
  | 'archive_altered'
  /** An archive in the store that no `retention.purged` record names, or one out of its place. */
  | 'archive_unrecorded';

export interface VerificationFailure {
  kind: VerificationFailureKind;
  tenantId?: string;
  partition?: number;
  /** Decimal string. */
  chainSeq?: string;
  eventId?: string;
  checkpointId?: string;
  /** Names columns and positions, never event content. */
  reason: string;
}
