import { Injectable } from '@nestjs/common';
import { appendLeafHashes, edgeTiles, leafHash, rootFromTiles, tileId, tilesReader, type Tile, type TileKey } from '@agent-ledger/integrity';
import { MerkleTreeRepository, type LeafInsert, type LockedTree, type TreeUpdate } from './merkle-tree.repository';
import type { ProjectionTransaction } from './projection.repository';

type Tx = Pick<ProjectionTransaction, 'rows'>;

/** What the writer needs of a stored row: its tenant, id, place in its chain and stored hash. */
export interface MerkleLeafSource {
  tenantId: string;
  eventId: string;
  chainSeq: bigint;
  /** The row's chain hash (`audit_events.hash`): the leaf data. */
  hash: Buffer;
}

/** A tenant's tree after a batch. */
export type TreeHead = TreeUpdate;

/**
 * Appends a batch's new rows to their tenants' Merkle trees (docs/proofs.md), in the batch's
 * transaction and in the rows' order: leaf data = the row's stored hash (`audit_events.hash`,
 * which commits to the stored event — PII as ciphertext — and to its chain predecessor), leaf
 * index = the tenant's next log position. The trees are locked per tenant, their edge tiles read,
 * grown and written back with the leaves and the new sizes and roots.
 */
@Injectable()
export class MerkleWriter {
  /**
   * The edge tiles of the trees this process last grew, by tenant. They are used only when the
   * locked tree's size and root are the ones they were computed for: a root commits to every leaf, so
   * a batch that rolled back, or another projector's append, shows as another size or root and the
   * tiles are read from the database. Saves the tile read of most batches.
   */
  private readonly edges = new Map<string, { size: number; root: Buffer; edge: Tile[] }>();

  constructor(private readonly statements: MerkleTreeRepository) {}

  async append(tx: Tx, partition: number, rows: readonly MerkleLeafSource[]): Promise<TreeHead[]> {
    if (!rows.length) return [];
    const byTenant = new Map<string, MerkleLeafSource[]>();
    for (const r of rows) {
      const list = byTenant.get(r.tenantId);
      if (list) list.push(r);
      else byTenant.set(r.tenantId, [r]);
    }
    const trees = await this.statements.lockTrees(tx, [...byTenant.keys()]);
    const known: (Tile & { tenantId: string })[] = [];
    const wanted: (TileKey & { tenantId: string })[] = [];
    for (const t of trees) {
      const cached = this.edges.get(t.tenantId);
      if (cached && cached.size === t.size && cached.root.equals(t.root)) known.push(...cached.edge.map((e) => ({ tenantId: t.tenantId, ...e })));
      else wanted.push(...edgeTiles(t.size).map((e) => ({ tenantId: t.tenantId, level: e.level, index: e.index })));
    }
    const stored = wanted.length ? await this.statements.readTiles(tx, wanted) : [];
    const plan = planAppend(trees, [...known, ...stored], byTenant);
    await this.statements.write(tx, partition, plan.tiles, plan.leaves, plan.trees);
    for (const t of plan.trees) this.remember(t);
    return plan.trees;
  }

  private remember(t: TreeHead): void {
    this.edges.delete(t.tenantId);
    if (this.edges.size >= EDGE_CACHE_TENANTS) this.edges.delete(this.edges.keys().next().value as string);
    this.edges.set(t.tenantId, { size: t.size, root: t.root, edge: t.edge });
  }
}

/** How many tenants' edge tiles a projector keeps (at most a few KB each; least recently grown out first). */
const EDGE_CACHE_TENANTS = 10_000;

/** The tiles, leaves and trees a batch writes, given the locked trees and their stored edge tiles. */
export function planAppend(
  trees: readonly LockedTree[],
  stored: readonly (Tile & { tenantId: string })[],
  rows: ReadonlyMap<string, readonly MerkleLeafSource[]>,
): { tiles: (Tile & { tenantId: string })[]; leaves: LeafInsert[]; trees: TreeUpdate[] } {
  const out = { tiles: [] as (Tile & { tenantId: string })[], leaves: [] as LeafInsert[], trees: [] as TreeUpdate[] };
  const storedById = new Map(stored.map((t) => [`${t.tenantId}/${tileId(t)}`, t]));
  for (const tree of trees) {
    const batch = rows.get(tree.tenantId) ?? [];
    if (!batch.length) continue;
    const edge = edgeTiles(tree.size).map((e) => {
      const tile = storedById.get(`${tree.tenantId}/${tileId(e)}`);
      if (!tile || tile.hashes.length !== e.width * 32) {
        throw new Error(`merkle tree of tenant ${tree.tenantId} (size ${tree.size}): edge tile ${tileId(e)} is missing or has the wrong width`);
      }
      return tile;
    });
    const grown = appendLeafHashes(tree.size, edge, batch.map((r) => leafHash(r.hash)));
    for (const t of grown.writes) out.tiles.push({ tenantId: tree.tenantId, level: t.level, index: t.index, hashes: t.hashes });
    batch.forEach((r, i) => out.leaves.push({ tenantId: tree.tenantId, eventId: r.eventId, leafIndex: tree.size + i, chainSeq: r.chainSeq }));
    out.trees.push({ tenantId: tree.tenantId, size: grown.size, root: rootFromTiles(grown.size, tilesReader(grown.edge)), edge: grown.edge });
  }
  return out;
}
