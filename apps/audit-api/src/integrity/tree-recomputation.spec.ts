import { createHash } from 'node:crypto';
import { appendLeafHashes, leafHash, rootOfLeafHashes, tileId, type Tile, type VerificationFailure } from '@agent-ledger/integrity';
import { recomputeTree, type TileSource, type TreeHeadClaim } from './tree-recomputation';

const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(createHash('sha256').update(`row-${i}`).digest()));

/** The tiles the projector stores for a tree of these leaves, appended in uneven batches. */
function tilesOf(hashes: readonly Buffer[]): Map<string, Tile> {
  const stored = new Map<string, Tile>();
  let size = 0;
  let edge: Tile[] = [];
  for (let at = 0; at < hashes.length; at += 997) {
    const out = appendLeafHashes(size, edge, hashes.slice(at, at + 997));
    for (const t of out.writes) stored.set(tileId(t), { ...t, hashes: Buffer.from(t.hashes) });
    ({ size, edge } = out);
  }
  return stored;
}

function sourceOf(tiles: Map<string, Tile>): TileSource {
  return {
    async *leafTiles(count) {
      for (let i = 0; i < count; i++) {
        const t = tiles.get(`0/${i}`);
        if (t) yield t;
      }
    },
    tile: async (level, index) => tiles.get(`${level}/${index}`)?.hashes,
  };
}

async function recompute(size: number, tiles: Map<string, Tile>, heads: TreeHeadClaim[] = []) {
  const failures: VerificationFailure[] = [];
  const result = await recomputeTree(size, sourceOf(tiles), heads, (f) => failures.push(f));
  return { ...result, failures };
}

describe(recomputeTree.name, () => {
  it.each([0, 1, 2, 255, 256, 257, 511, 1_000])('should recompute the RFC 9162 root without a failure when the %s-leaf tree is intact', async (n) => {
    const hashes = leaves(n);
    const { root, failures } = await recompute(n, tilesOf(hashes));
    expect(failures).toEqual([]);
    expect(root).toEqual(rootOfLeafHashes(hashes));
  });

  it('should check the tiles of level 2 when the tree has more than 65,536 leaves', async () => {
    const hashes = leaves(65_536 + 300);
    const tiles = tilesOf(hashes);
    expect(tiles.get('2/0')?.hashes.length).toBe(32);
    expect((await recompute(hashes.length, tiles)).root).toEqual(rootOfLeafHashes(hashes));

    tiles.get('2/0')!.hashes[5] ^= 1;
    const { failures } = await recompute(hashes.length, tiles);
    expect(failures).toEqual([expect.objectContaining({ kind: 'merkle_tile_mismatch', leafIndex: 0, treeSize: 65_836, reason: expect.stringContaining('tile 2/0 hash 0') })]);
  });

  it('should name the first leaf of the subtree when a level-1 tile hash does not match its children', async () => {
    const tiles = tilesOf(leaves(1_000));
    tiles.get('1/0')!.hashes[2 * 32] ^= 0xff;
    const { failures, root } = await recompute(1_000, tiles);
    expect(failures).toEqual([expect.objectContaining({ kind: 'merkle_tile_mismatch', leafIndex: 512, reason: expect.stringContaining('tile 1/0 hash 2 differs from the subtree recomputed from leaves 512..767') })]);
    // The root comes from the leaves, not from the tampered tile.
    expect(root).toEqual(rootOfLeafHashes(leaves(1_000)));
  });

  it('should recompute a different root when a leaf hash in a level-0 tile was changed', async () => {
    const tiles = tilesOf(leaves(300));
    tiles.get('0/1')!.hashes[0] ^= 1;
    expect((await recompute(300, tiles)).root).not.toEqual(rootOfLeafHashes(leaves(300)));
  });

  it('should report the first missing leaf and no root when a level-0 tile is missing', async () => {
    const tiles = tilesOf(leaves(800));
    tiles.delete('0/1');
    const { failures, root } = await recompute(800, tiles);
    expect(root).toBeUndefined();
    expect(failures).toContainEqual(expect.objectContaining({ kind: 'merkle_tile_mismatch', leafIndex: 256, reason: expect.stringContaining('tile 0/1 is missing') }));
  });

  it('should report a tile that holds more hashes than the tree size needs', async () => {
    const tiles = tilesOf(leaves(300));
    const edge = tiles.get('0/1')!;
    edge.hashes = Buffer.concat([edge.hashes, Buffer.alloc(32)]);
    const { failures, root } = await recompute(300, tiles);
    expect(failures).toEqual([expect.objectContaining({ kind: 'merkle_tile_mismatch', leafIndex: 256, reason: 'tile 0/1 holds 45 leaf hashes, a tree of 300 leaves needs 44' })]);
    expect(root).toEqual(rootOfLeafHashes(leaves(300)));
  });

  it('should check each signed tree head at its size and name the one whose root differs', async () => {
    const hashes = leaves(700);
    const heads = [
      { checkpointId: 'at-0', size: 0, rootHash: rootOfLeafHashes([]) },
      { checkpointId: 'at-3', size: 3, rootHash: rootOfLeafHashes(hashes.slice(0, 3)) },
      { checkpointId: 'at-600-forged', size: 600, rootHash: rootOfLeafHashes(hashes.slice(0, 599)) },
      { checkpointId: 'at-700', size: 700, rootHash: rootOfLeafHashes(hashes) },
    ];
    const { failures, treeHeadsChecked } = await recompute(700, tilesOf(hashes), heads);
    expect(treeHeadsChecked).toBe(4);
    expect(failures).toEqual([expect.objectContaining({ kind: 'tree_head_root_mismatch', checkpointId: 'at-600-forged', treeSize: 600 })]);
  });

  it('should fail a signed tree head larger than the stored tree, and a malformed one', async () => {
    const hashes = leaves(10);
    const heads = [
      { checkpointId: 'beyond', size: 11, rootHash: rootOfLeafHashes(hashes) },
      { checkpointId: 'malformed', size: Number.NaN, rootHash: Buffer.alloc(0) },
    ];
    const { failures } = await recompute(10, tilesOf(hashes), heads);
    expect(failures.map((f) => [f.kind, f.checkpointId])).toEqual([
      ['tree_head_root_mismatch', 'malformed'],
      ['tree_head_root_mismatch', 'beyond'],
    ]);
  });
});
