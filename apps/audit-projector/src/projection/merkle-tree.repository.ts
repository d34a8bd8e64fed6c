import { Injectable } from '@nestjs/common';
import { EMPTY_ROOT, type Tile, type TileKey } from '@agent-ledger/integrity';
import { cmp, type ProjectionTransaction } from './projection.repository';

type Tx = Pick<ProjectionTransaction, 'rows'>;

/** A tenant's tree as stored: its size and root before the batch (the row is locked). */
export interface LockedTree {
  tenantId: string;
  size: number;
  root: Buffer;
}

/** One new leaf: the event, its index in the tenant's log, where its row is. */
export interface LeafInsert {
  tenantId: string;
  eventId: string;
  leafIndex: number;
  chainSeq: bigint;
}

/** A tenant's tree after the batch. */
export interface TreeUpdate {
  tenantId: string;
  size: number;
  root: Buffer;
  /** Its edge tiles (the rightmost partial tile of each level). */
  edge: Tile[];
}

/**
 * The Merkle writer's statements, in the batch's transaction: three round trips per batch (lock the
 * trees, read their edge tiles, write tiles + leaves + trees in one statement).
 */
@Injectable()
export class MerkleTreeRepository {
  /**
   * Locks the tenants' tree rows in tenant order (creating empty trees): a batch of another Kafka
   * partition of the same tenant waits here until this one commits, so leaf indexes follow the
   * order in which batches commit and none is given twice.
   */
  async lockTrees(tx: Tx, tenantIds: readonly string[]): Promise<LockedTree[]> {
    const rows = await tx.rows<{ tenant_id: string; tree_size: string; root_hash: Buffer }>(
      `INSERT INTO merkle_trees AS m (tenant_id, tree_size, root_hash, updated_at)
       SELECT t, 0, $2, now() FROM unnest($1::uuid[]) WITH ORDINALITY AS u (t, n) ORDER BY n
       ON CONFLICT (tenant_id) DO UPDATE SET updated_at = m.updated_at
       RETURNING tenant_id::text AS tenant_id, tree_size::text AS tree_size, root_hash`,
      [[...tenantIds].sort(cmp), EMPTY_ROOT],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, size: Number(r.tree_size), root: r.root_hash }));
  }

  /** The stored tiles at these keys (per tenant). */
  async readTiles(tx: Tx, keys: readonly (TileKey & { tenantId: string })[]): Promise<(Tile & { tenantId: string })[]> {
    if (!keys.length) return [];
    const rows = await tx.rows<{ tenant_id: string; level: number; tile_index: string; hashes: Buffer }>(
      `SELECT t.tenant_id::text AS tenant_id, t.level, t.tile_index::text AS tile_index, t.hashes
         FROM merkle_tiles t JOIN unnest($1::uuid[], $2::smallint[], $3::bigint[]) AS u (tenant_id, level, tile_index)
           ON t.tenant_id = u.tenant_id AND t.level = u.level AND t.tile_index = u.tile_index`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.level), keys.map((k) => k.index)],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, level: r.level, index: Number(r.tile_index), hashes: r.hashes }));
  }

  /** Writes the grown and new tiles, the leaves and the trees' new sizes and roots in one statement. */
  async write(tx: Tx, partition: number, tiles: readonly (Tile & { tenantId: string })[], leaves: readonly LeafInsert[], trees: readonly TreeUpdate[]): Promise<void> {
    await tx.rows(
      `WITH tiles AS (
         INSERT INTO merkle_tiles (tenant_id, level, tile_index, hashes)
         SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::bigint[], $4::bytea[])
         ON CONFLICT (tenant_id, level, tile_index) DO UPDATE SET hashes = EXCLUDED.hashes
       ), leaves AS (
         INSERT INTO merkle_leaves (tenant_id, event_id, leaf_index, kafka_partition, chain_seq)
         SELECT u.t, u.e, u.i, $5, u.s FROM unnest($6::uuid[], $7::uuid[], $8::bigint[], $9::bigint[]) AS u (t, e, i, s)
       )
       UPDATE merkle_trees m SET tree_size = u.size, root_hash = u.root, updated_at = now()
         FROM unnest($10::uuid[], $11::bigint[], $12::bytea[]) AS u (t, size, root)
        WHERE m.tenant_id = u.t`,
      [
        tiles.map((t) => t.tenantId),
        tiles.map((t) => t.level),
        tiles.map((t) => t.index),
        tiles.map((t) => t.hashes),
        partition,
        leaves.map((l) => l.tenantId),
        leaves.map((l) => l.eventId),
        leaves.map((l) => l.leafIndex),
        leaves.map((l) => l.chainSeq.toString()),
        trees.map((t) => t.tenantId),
        trees.map((t) => t.size),
        trees.map((t) => t.root),
      ],
    );
  }
}
