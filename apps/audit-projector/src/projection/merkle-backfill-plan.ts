import type { MerkleLeafSource } from './merkle-writer';

/** A (tenant, partition) range of chain positions whose rows still need their Merkle leaf: `nextSeq` … `throughSeq`. */
export interface BackfillRange {
  tenantId: string;
  partition: number;
  nextSeq: bigint;
  throughSeq: bigint;
}

/** A stored row of a range, as read for a chunk: where it is in its chain, its stored hash, whether it has a leaf. */
export interface BackfillRow {
  eventId: string;
  chainSeq: bigint;
  /** `audit_events.hash`: the leaf data. */
  hash: Buffer;
  hasLeaf: boolean;
}

/** What one chunk of a range does. */
export interface BackfillChunkPlan {
  /** The rows to append to the tenant's tree, in chain order. */
  append: MerkleLeafSource[];
  /** Rows of the chunk that have a leaf already (the rows without one were not a prefix of the chain): skipped. */
  skipped: number;
  /** Where the range continues after this chunk; `undefined` when the range is done. */
  nextSeq?: bigint;
}

/**
 * Plans one chunk of a range from its next stored rows (at most `limit`, in chain order, none before
 * `nextSeq` nor after `throughSeq`): the rows without a leaf are appended, those with one skipped, and
 * the range continues after the last row read — or is done when fewer than `limit` rows were left or
 * the last one is `throughSeq`. Chain positions without a row (purged by retention) are simply not read.
 */
export function planChunk(range: BackfillRange, rows: readonly BackfillRow[], limit: number): BackfillChunkPlan {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`chunk limit must be a positive integer, got ${limit}`);
  if (rows.length > limit) throw new RangeError(`${rows.length} rows read for a chunk of at most ${limit}`);
  let previous = range.nextSeq - 1n;
  for (const r of rows) {
    if (r.chainSeq <= previous || r.chainSeq > range.throughSeq) {
      throw new RangeError(`row at chain_seq ${r.chainSeq} is out of order or outside ${range.nextSeq}…${range.throughSeq} (tenant ${range.tenantId}, partition ${range.partition})`);
    }
    previous = r.chainSeq;
  }
  const append = rows.filter((r) => !r.hasLeaf).map((r) => ({ tenantId: range.tenantId, eventId: r.eventId, chainSeq: r.chainSeq, hash: r.hash }));
  const last = rows[rows.length - 1];
  const done = rows.length < limit || last.chainSeq === range.throughSeq;
  return { append, skipped: rows.length - append.length, ...(done ? {} : { nextSeq: last.chainSeq + 1n }) };
}
