import { createHash } from 'node:crypto';
import { EMPTY_ROOT, leafHash, rootOfLeafHashes, type Tile, type TileKey } from '@agent-ledger/integrity';
import type { LeafInsert, LockedTree, MerkleTreeRepository, TreeUpdate } from './merkle-tree.repository';
import { MerkleWriter, type MerkleLeafSource } from './merkle-writer';

const TENANT = '00000000-0000-4000-8000-000000000001';
type KeyedTile = Tile & { tenantId: string };

/** The writer's statements over an in-memory store: what PostgreSQL holds after each committed batch. */
class MemoryTrees {
  tree = { size: 0, root: EMPTY_ROOT };
  readonly tiles = new Map<string, Buffer>();
  readonly reads: TileKey[][] = [];
  leaves: LeafInsert[] = [];

  statements(): MerkleTreeRepository {
    return {
      lockTrees: async (): Promise<LockedTree[]> => [{ tenantId: TENANT, size: this.tree.size, root: this.tree.root }],
      readTiles: async (_tx: unknown, keys: readonly (TileKey & { tenantId: string })[]): Promise<KeyedTile[]> => {
        this.reads.push(keys.map((k) => ({ level: k.level, index: k.index })));
        return keys.flatMap((k) => {
          const hashes = this.tiles.get(`${k.level}/${k.index}`);
          return hashes ? [{ ...k, hashes }] : [];
        });
      },
      write: async (_tx: unknown, _partition: number, tiles: readonly KeyedTile[], leaves: readonly LeafInsert[], trees: readonly TreeUpdate[]) => {
        for (const t of tiles) this.tiles.set(`${t.level}/${t.index}`, t.hashes);
        this.leaves.push(...leaves);
        this.tree = { size: trees[0].size, root: trees[0].root };
      },
    } as unknown as MerkleTreeRepository;
  }
}

const rows = (from: number, n: number): MerkleLeafSource[] =>
  Array.from({ length: n }, (_, i) => ({ tenantId: TENANT, eventId: `e-${from + i}`, chainSeq: BigInt(from + i + 1), hash: createHash('sha256').update(`row ${from + i}`).digest() }));
const tx = { rows: async () => [] } as never;

describe('MerkleWriter', () => {
  it('should grow the tree from its own edge tiles without reading them back while the locked size and root are the ones it wrote', async () => {
    const db = new MemoryTrees();
    const writer = new MerkleWriter(db.statements());
    const all = [...rows(0, 300), ...rows(300, 200), ...rows(500, 57)];
    await writer.append(tx, 0, all.slice(0, 300));
    await writer.append(tx, 0, all.slice(300, 500));
    await writer.append(tx, 0, all.slice(500));
    expect(db.reads).toEqual([]);
    expect(db.tree.size).toBe(557);
    expect(db.tree.root).toEqual(rootOfLeafHashes(all.map((r) => leafHash(r.hash))));
    expect(db.leaves.map((l) => l.leafIndex)).toEqual(all.map((_, i) => i));
  });

  it('should read the edge tiles from the database when the tree moved without it (a rolled-back batch or another projector)', async () => {
    const db = new MemoryTrees();
    const writer = new MerkleWriter(db.statements());
    const other = new MerkleWriter(db.statements());
    const all = rows(0, 700);
    await writer.append(tx, 0, all.slice(0, 300));
    await other.append(tx, 1, all.slice(300, 600)); // reads the tiles the first writer stored
    expect(db.reads).toHaveLength(1);
    await writer.append(tx, 0, all.slice(600)); // its cached tree (300 leaves) is stale: it reads
    expect(db.reads).toHaveLength(2);
    expect(db.reads[1].length).toBeGreaterThan(0);
    expect(db.tree.root).toEqual(rootOfLeafHashes(all.map((r) => leafHash(r.hash))));

    // A batch that rolled back: the database still has the tree before it, so the cache does not apply.
    const before = { ...db.tree };
    const tiles = new Map(db.tiles);
    await writer.append(tx, 0, rows(700, 5));
    db.tree = before;
    db.tiles.clear();
    for (const [k, v] of tiles) db.tiles.set(k, v);
    // Another projector then reaches the same size with other leaves: only the root tells them apart.
    const instead = rows(800, 5);
    await other.append(tx, 1, instead);
    expect(db.tree.size).toBe(705);
    const again = rows(900, 9);
    await writer.append(tx, 0, again);
    expect(db.reads).toHaveLength(4);
    expect(db.tree.root).toEqual(rootOfLeafHashes([...all, ...instead, ...again].map((r) => leafHash(r.hash))));
  });
});
