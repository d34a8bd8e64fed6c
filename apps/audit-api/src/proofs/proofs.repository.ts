import { Injectable } from '@nestjs/common';
import type { Checkpoint } from '@agent-ledger/contracts';
import { parseStoredCheckpoint, type Tile, type TileKey } from '@agent-ledger/integrity';
import { TenantDatabase } from '@agent-ledger/persistence';

type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

export interface StoredLeaf {
  leafIndex: number;
  partition: number;
  chainSeq: string;
}

export interface StoredEventRow {
  prevHash: Buffer;
  hash: Buffer;
  eventJson: string;
}

/** The tenant's Merkle tree as stored (row-level security applies), read in one snapshot. */
export class TreeReader {
  constructor(
    private readonly tenantId: string,
    private readonly query: Query,
  ) {}

  /** The tree's current size and root (0 and the empty root before its first leaf). */
  async head(): Promise<{ size: number; root: Buffer | undefined }> {
    const [row] = await this.query<{ size: string; root: Buffer }>(`SELECT tree_size::text AS size, root_hash AS root FROM merkle_trees WHERE tenant_id = $1`, [this.tenantId]);
    return row ? { size: Number(row.size), root: row.root } : { size: 0, root: undefined };
  }

  /** The tree's current size (0 before its first leaf). */
  async size(): Promise<number> {
    const [row] = await this.query<{ size: string }>(`SELECT tree_size::text AS size FROM merkle_trees WHERE tenant_id = $1`, [this.tenantId]);
    return row ? Number(row.size) : 0;
  }

  async leaf(eventId: string): Promise<StoredLeaf | undefined> {
    const [row] = await this.query<{ leaf_index: string; partition: number; chain_seq: string }>(
      `SELECT leaf_index::text AS leaf_index, kafka_partition AS partition, chain_seq::text AS chain_seq FROM merkle_leaves WHERE tenant_id = $1 AND event_id = $2`,
      [this.tenantId, eventId],
    );
    return row && { leafIndex: Number(row.leaf_index), partition: row.partition, chainSeq: row.chain_seq };
  }

  /** The leaf's row in audit_events (absent when retention purged it). */
  async eventRow(leaf: StoredLeaf): Promise<StoredEventRow | undefined> {
    const [row] = await this.query<StoredEventRow>(
      `SELECT prev_hash AS "prevHash", hash, event_json AS "eventJson" FROM audit_events WHERE tenant_id = $1 AND kafka_partition = $2 AND chain_seq = $3`,
      [this.tenantId, leaf.partition, leaf.chainSeq],
    );
    return row;
  }

  readonly tiles = async (keys: TileKey[]): Promise<Tile[]> => {
    if (!keys.length) return [];
    const rows = await this.query<{ level: number; tile_index: string; hashes: Buffer }>(
      `SELECT t.level, t.tile_index::text AS tile_index, t.hashes FROM merkle_tiles t
         JOIN unnest($2::smallint[], $3::bigint[]) AS u (level, tile_index) ON t.level = u.level AND t.tile_index = u.tile_index
        WHERE t.tenant_id = $1`,
      [this.tenantId, keys.map((k) => k.level), keys.map((k) => k.index)],
    );
    return rows.map((r) => ({ level: r.level, index: Number(r.tile_index), hashes: r.hashes }));
  };

  /** The newest signed checkpoint carrying a tree head of exactly `size` leaves. */
  async treeHeadOfSize(size: number): Promise<Checkpoint | undefined> {
    return this.checkpoint(`tree_size = $2`, [size]);
  }

  /** The newest signed checkpoint carrying a tree head. */
  async newestTreeHead(): Promise<Checkpoint | undefined> {
    return this.checkpoint(`tree_size IS NOT NULL`, []);
  }

  private async checkpoint(where: string, params: unknown[]): Promise<Checkpoint | undefined> {
    const [row] = await this.query<{ payload: string; signature: string }>(
      `SELECT payload, signature FROM checkpoints WHERE tenant_id = $1 AND ${where} ORDER BY created_at DESC LIMIT 1`,
      [this.tenantId, ...params],
    );
    return row && parseStoredCheckpoint(row.payload, row.signature);
  }
}

@Injectable()
export class ProofsRepository {
  constructor(private readonly db: TenantDatabase) {}

  /** Runs `work` with a reader whose statements all see one snapshot (the tree, its tiles and the checkpoints agree). */
  inSnapshot<T>(tenantId: string, work: (reader: TreeReader) => Promise<T>): Promise<T> {
    return this.db.snapshot(tenantId, (manager) => work(new TreeReader(tenantId, (sql, params) => manager.query(sql, params))));
  }
}
