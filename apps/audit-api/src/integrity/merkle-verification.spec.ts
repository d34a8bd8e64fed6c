import { createHash } from 'node:crypto';
import { appendLeafHashes, leafHash, type VerificationFailure, type VerificationReport } from '@agent-ledger/integrity';
import { checkRowLeaves, withMerkleCheck, type LeafSource, type MerkleCheck } from './merkle-verification';
import type { RowLeaf } from './merkle-verification.repository';

const rowHash = (i: number): Buffer => createHash('sha256').update(`row-${i}`).digest();

/** 600 rows of one chain, each with leaf i, and the level-0 tiles the projector stores for them. */
function fixture(): { rows: RowLeaf[]; tiles: Map<number, Buffer> } {
  const rows: RowLeaf[] = Array.from({ length: 600 }, (_, i) => ({ eventId: `e-${i}`, partition: 0, chainSeq: String(i + 1), hash: rowHash(i), leaf: { index: i, partition: 0, chainSeq: String(i + 1) } }));
  const { writes } = appendLeafHashes(0, [], rows.map((r) => leafHash(r.hash)));
  return { rows, tiles: new Map(writes.filter((t) => t.level === 0).map((t) => [t.index, t.hashes])) };
}

function sourceOf(rows: RowLeaf[], tiles: Map<number, Buffer>): LeafSource & { tileReads: number } {
  const source = {
    tileReads: 0,
    async *rowLeaves() {
      for (let i = 0; i < rows.length; i += 250) yield rows.slice(i, i + 250);
    },
    async leafTilesAt(indexes: readonly number[]) {
      source.tileReads += 1;
      return new Map(indexes.flatMap((i) => (tiles.has(i) ? [[i, tiles.get(i) as Buffer] as const] : [])));
    },
  };
  return source as unknown as LeafSource & { tileReads: number };
}

async function check(rows: RowLeaf[], tiles: Map<number, Buffer>, size = 600) {
  const failures: VerificationFailure[] = [];
  const source = sourceOf(rows, tiles);
  const counts = await checkRowLeaves(source, {}, size, (f) => failures.push(f));
  return { ...counts, failures, tileReads: source.tileReads };
}

describe(checkRowLeaves.name, () => {
  it('should check every row with one tile read per page when the leaves match', async () => {
    const { rows, tiles } = fixture();
    expect(await check(rows, tiles)).toEqual({ checked: 600, withoutLeaf: 0, failures: [], tileReads: 3 });
  });

  it('should name the row and its leaf when the row hash and the leaf in the tile differ', async () => {
    const { rows, tiles } = fixture();
    rows[300] = { ...rows[300], hash: rowHash(9_999) };
    const { failures } = await check(rows, tiles);
    expect(failures).toEqual([{ kind: 'merkle_leaf_mismatch', partition: 0, chainSeq: '301', eventId: 'e-300', leafIndex: 300, reason: "leaf 300 in tile 0/1 is not the leaf hash of the row's stored hash" }]);
  });

  it('should count rows without a leaf instead of failing them', async () => {
    const { rows, tiles } = fixture();
    for (const i of [598, 599]) rows[i] = { ...rows[i], leaf: undefined };
    expect(await check(rows, tiles)).toMatchObject({ checked: 598, withoutLeaf: 2, failures: [] });
  });

  it('should fail a leaf that names another row, one beyond the tree and one whose tile is missing', async () => {
    const { rows, tiles } = fixture();
    rows[10] = { ...rows[10], leaf: { index: 10, partition: 0, chainSeq: '12' } };
    tiles.delete(2);
    const { failures } = await check(rows, tiles, 590);
    expect(failures.map((f) => [f.kind, f.leafIndex, f.reason])).toEqual([
      ['merkle_leaf_mismatch', 10, "the event's leaf names partition 0, chain_seq 12"],
      ...Array.from({ length: 78 }, (_, k) => 512 + k).map((i) => ['merkle_leaf_mismatch', i, `tile 0/2 does not hold leaf ${i}`]),
      ...Array.from({ length: 10 }, (_, k) => 590 + k).map((i) => ['merkle_leaf_mismatch', i, `leaf ${i} is beyond the tree of 590 leaves`]),
    ]);
  });
});

describe(withMerkleCheck.name, () => {
  const report = (over: Partial<VerificationReport> = {}): VerificationReport => ({
    ok: true,
    status: 'ok',
    eventsChecked: 5,
    checkpointsChecked: 1,
    chains: [],
    uncovered: [],
    unverifiedReasons: [],
    newestCheckpointAge: 1,
    failures: [],
    ...over,
  });
  const merkle = (over: Partial<MerkleCheck> = {}): MerkleCheck => ({ summary: { treeSize: 5, leavesChecked: 5, treeHeadsChecked: 1 }, failures: [], unverifiedReasons: [], ...over });
  const rootFailure: VerificationFailure = { kind: 'merkle_root_mismatch', treeSize: 5, reason: 'r' };

  it('should stay ok when the chains and the tree are both intact', () => {
    expect(withMerkleCheck(report(), merkle(), 20)).toMatchObject({ ok: true, status: 'ok', unverifiedReasons: [] });
  });

  it('should answer failed with the tree failure first when only the tree fails', () => {
    expect(withMerkleCheck(report(), merkle({ failures: [rootFailure] }), 20)).toMatchObject({ ok: false, status: 'failed', firstFailure: rootFailure, failures: [rootFailure], unverifiedReasons: [] });
  });

  it('should keep the chains first failure first when both fail', () => {
    const chain: VerificationFailure = { kind: 'hash_mismatch', partition: 0, chainSeq: '2', reason: 'x' };
    const out = withMerkleCheck(report({ ok: false, status: 'failed', firstFailure: chain, failures: [chain] }), merkle({ failures: [rootFailure] }), 20);
    expect(out).toMatchObject({ status: 'failed', firstFailure: chain, failures: [chain, rootFailure] });
  });

  it('should answer unverified with the reason when rows are not in the tree yet', () => {
    const out = withMerkleCheck(report({ ok: false, status: 'unverified', unverifiedReasons: ['1 rows after the newest checkpoint are not signed yet'] }), merkle({ unverifiedReasons: ['2 events are not in the Merkle tree yet'] }), 20);
    expect(out).toMatchObject({ ok: false, status: 'unverified', unverifiedReasons: ['1 rows after the newest checkpoint are not signed yet', '2 events are not in the Merkle tree yet'] });
    expect(withMerkleCheck(report(), merkle({ unverifiedReasons: ['2 events are not in the Merkle tree yet'] }), 20).status).toBe('unverified');
  });
});
