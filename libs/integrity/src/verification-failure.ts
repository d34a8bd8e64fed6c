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
  | 'archive_unrecorded'
  /** A row's leaf in the Merkle tree's level-0 tiles is not the leaf hash of its stored hash, or its leaf names another row (docs/proofs.md). */
  | 'merkle_leaf_mismatch'
  /** A Merkle tile is missing, holds too few or too many hashes, or (above level 0) a hash differs from the one recomputed from the level below. */
  | 'merkle_tile_mismatch'
  /** The root recomputed from the level-0 tiles differs from the stored tree root (`merkle_trees`). */
  | 'merkle_root_mismatch'
  /** The root recomputed at a signed tree head's size differs from the root the checkpoint signed, or the tree is smaller than that size. */
  | 'tree_head_root_mismatch';

export interface VerificationFailure {
  kind: VerificationFailureKind;
  tenantId?: string;
  partition?: number;
  /** Decimal string. */
  chainSeq?: string;
  eventId?: string;
  checkpointId?: string;
  /** The Merkle leaf at fault (the first leaf of the subtree, for a tile hash). */
  leafIndex?: number;
  /** The Merkle tree size at fault (a tree root or a signed tree head). */
  treeSize?: number;
  /** Names columns and positions, never event content. */
  reason: string;
}
