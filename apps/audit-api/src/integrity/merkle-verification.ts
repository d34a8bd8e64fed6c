import { HASH_BYTES, leafHash, TILE_WIDTH, type VerificationFailure, type VerificationReport } from '@agent-ledger/integrity';
import type { Window } from './integrity.repository';
import type { MerkleReader, RowLeaf } from './merkle-verification.repository';
import { recomputeTree } from './tree-recomputation';

/** What the Merkle check covered: the `merkle` block of the verify answer. */
export interface MerkleSummary {
  /** Leaves of the stored tree (`merkle_trees.tree_size`). */
  treeSize: number;
  /** Rows of the window whose leaf was compared with the level-0 tiles. */
  leavesChecked: number;
  /** Signed tree heads whose root was compared with the recomputed root at their size. */
  treeHeadsChecked: number;
}

export interface MerkleCheck {
  summary: MerkleSummary;
  failures: VerificationFailure[];
  unverifiedReasons: string[];
}

/** Reads a tenant's rows with their leaves (pages) and the level-0 tiles holding given leaves. */
export type LeafSource = Pick<MerkleReader, 'rowLeaves' | 'leafTilesAt'>;

/**
 * Checks the tenant's Merkle tree against its rows and signed tree heads (docs/integrity.md):
 * every row of the window has a leaf whose hash in the level-0 tiles is the leaf hash of the row's
 * stored hash; the root recomputed from the level-0 tiles (the tiles above compared with it on the
 * way) equals the stored root and, at each signed tree head's size, the root it signed. Rows
 * without a leaf are not a failure: the answer is unverified until they are in the tree. Leaves of
 * purged rows stay in the recomputation; only rows present are compared.
 */
export async function verifyMerkleTree(reader: MerkleReader, w: Window): Promise<MerkleCheck> {
  // The rows' leaves first: a failure there names the row at fault, the tree's failures follow from it.
  const [leafFailures, treeFailures]: VerificationFailure[][] = [[], []];
  const tree = await reader.tree();
  const rows = await checkRowLeaves(reader, w, tree.size, (f) => void leafFailures.push(f));
  const heads = await reader.treeHeads(w);
  const { root, treeHeadsChecked } = await recomputeTree(tree.size, reader, heads, (f) => void treeFailures.push(f));
  if (root && tree.rootHash && !root.equals(tree.rootHash)) {
    treeFailures.push({ kind: 'merkle_root_mismatch', treeSize: tree.size, reason: `the root recomputed from the leaves of the tree of ${tree.size} leaves differs from the stored root` });
  }
  const unverifiedReasons = rows.withoutLeaf ? [`${rows.withoutLeaf} events are not in the Merkle tree yet`] : [];
  return { summary: { treeSize: tree.size, leavesChecked: rows.checked, treeHeadsChecked }, failures: [...leafFailures, ...treeFailures], unverifiedReasons };
}

/** Compares each row's leaf, page by page: the level-0 tiles a page needs are read once for it. */
export async function checkRowLeaves(source: LeafSource, w: Window, size: number, fail: (f: VerificationFailure) => void): Promise<{ checked: number; withoutLeaf: number }> {
  let checked = 0;
  let withoutLeaf = 0;
  for await (const page of source.rowLeaves(w)) {
    const placed: (RowLeaf & { leaf: NonNullable<RowLeaf['leaf']> })[] = [];
    for (const row of page) {
      if (!row.leaf) withoutLeaf += 1;
      else placed.push(row as RowLeaf & { leaf: NonNullable<RowLeaf['leaf']> });
    }
    const tiles = await source.leafTilesAt([...new Set(placed.filter((r) => r.leaf.index < size).map((r) => Math.floor(r.leaf.index / TILE_WIDTH)))]);
    for (const row of placed) {
      checked += 1;
      const at = { partition: row.partition, chainSeq: row.chainSeq, eventId: row.eventId, leafIndex: row.leaf.index };
      if (row.leaf.partition !== row.partition || row.leaf.chainSeq !== row.chainSeq) {
        fail({ kind: 'merkle_leaf_mismatch', ...at, reason: `the event's leaf names partition ${row.leaf.partition}, chain_seq ${row.leaf.chainSeq}` });
        continue;
      }
      if (row.leaf.index >= size) {
        fail({ kind: 'merkle_leaf_mismatch', ...at, treeSize: size, reason: `leaf ${row.leaf.index} is beyond the tree of ${size} leaves` });
        continue;
      }
      const tileIndex = Math.floor(row.leaf.index / TILE_WIDTH);
      const offset = (row.leaf.index - tileIndex * TILE_WIDTH) * HASH_BYTES;
      const stored = tiles.get(tileIndex)?.subarray(offset, offset + HASH_BYTES);
      if (!stored || stored.length !== HASH_BYTES) fail({ kind: 'merkle_leaf_mismatch', ...at, reason: `tile 0/${tileIndex} does not hold leaf ${row.leaf.index}` });
      else if (!stored.equals(leafHash(row.hash))) fail({ kind: 'merkle_leaf_mismatch', ...at, reason: `leaf ${row.leaf.index} in tile 0/${tileIndex} is not the leaf hash of the row's stored hash` });
    }
  }
  return { checked, withoutLeaf };
}

/**
 * The chain report with the Merkle check added: its failures after the chains' (the first failure
 * stays the chains' when they have one), its reasons for an unverified answer added.
 */
export function withMerkleCheck(report: VerificationReport, merkle: MerkleCheck, maxFailures: number): VerificationReport {
  const failures = [...report.failures, ...merkle.failures].slice(0, maxFailures);
  const firstFailure = report.firstFailure ?? merkle.failures[0];
  const reasons = [...report.unverifiedReasons, ...merkle.unverifiedReasons];
  const status = firstFailure ? 'failed' : reasons.length ? 'unverified' : 'ok';
  return { ...report, ok: status === 'ok', status, firstFailure, failures, unverifiedReasons: status === 'unverified' ? reasons : [] };
}
