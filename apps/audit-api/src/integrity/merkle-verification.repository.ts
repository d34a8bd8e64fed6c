import { parseStoredCheckpoint, type Tile } from '@agent-ledger/integrity';
import type { Window } from './integrity.repository';
import type { TileSource, TreeHeadClaim } from './tree-recomputation';

type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

const ROW_PAGE = 2_000;
const TILE_PAGE = 16;

/** A stored row and the leaf `merkle_leaves` gives it (none when the row is not in the tree yet). */
export interface RowLeaf {
  eventId: string;
  partition: number;
  chainSeq: string;
  hash: Buffer;
  leaf?: { index: number; partition: number; chainSeq: string };
}

/** The stored tree's size and root (`merkle_trees`; size 0 before the tenant's first leaf). */
export interface StoredTree {
  size: number;
  rootHash?: Buffer;
}

/** Reads one tenant's Merkle tree for verification (row-level security applies), page by page. */
export class MerkleReader implements TileSource {
  constructor(
    private readonly tenantId: string,
    private readonly query: Query,
  ) {}

  async tree(): Promise<StoredTree> {
    const [row] = await this.query<{ size: string; rootHash: Buffer }>(`SELECT tree_size::text AS size, root_hash AS "rootHash" FROM merkle_trees WHERE tenant_id = $1`, [this.tenantId]);
    return row ? { size: Number(row.size), rootHash: row.rootHash } : { size: 0 };
  }

  /** The rows recorded in the window with their leaves, chain by chain in chain_seq order (keyset pages). */
  async *rowLeaves(w: Window): AsyncGenerator<RowLeaf[]> {
    let after: { partition: number; seq: string } | undefined;
    for (;;) {
      const page = await this.query<{ eventId: string; partition: number; chainSeq: string; hash: Buffer; leafIndex: string | null; leafPartition: number | null; leafSeq: string | null }>(
        `SELECT e.event_id::text AS "eventId", e.kafka_partition AS partition, e.chain_seq::text AS "chainSeq", e.hash,
                l.leaf_index::text AS "leafIndex", l.kafka_partition AS "leafPartition", l.chain_seq::text AS "leafSeq"
           FROM audit_events e LEFT JOIN merkle_leaves l ON l.tenant_id = e.tenant_id AND l.event_id = e.event_id
          WHERE e.tenant_id = $1
            AND ($2::timestamptz IS NULL OR e.recorded_at >= $2) AND ($3::timestamptz IS NULL OR e.recorded_at < $3)
            AND ($4::int IS NULL OR (e.kafka_partition, e.chain_seq) > ($4::int, $5::bigint))
          ORDER BY e.kafka_partition, e.chain_seq LIMIT ${ROW_PAGE}`,
        [this.tenantId, w.from ?? null, w.to ?? null, after?.partition ?? null, after?.seq ?? null],
      );
      if (page.length) {
        yield page.map((r) => ({
          eventId: r.eventId,
          partition: r.partition,
          chainSeq: r.chainSeq,
          hash: r.hash,
          ...(r.leafIndex === null ? {} : { leaf: { index: Number(r.leafIndex), partition: r.leafPartition as number, chainSeq: r.leafSeq as string } }),
        }));
      }
      if (page.length < ROW_PAGE) return;
      const last = page[page.length - 1];
      after = { partition: last.partition, seq: last.chainSeq };
    }
  }

  /** Level-0 tiles with an index below `count`, in index order (keyset pages of a few tiles). */
  async *leafTiles(count: number): AsyncGenerator<Tile> {
    let from = 0;
    while (from < count) {
      const page = await this.query<{ index: string; hashes: Buffer }>(
        `SELECT tile_index::text AS index, hashes FROM merkle_tiles
          WHERE tenant_id = $1 AND level = 0 AND tile_index >= $2 AND tile_index < $3 ORDER BY tile_index LIMIT ${TILE_PAGE}`,
        [this.tenantId, from, count],
      );
      for (const r of page) yield { level: 0, index: Number(r.index), hashes: r.hashes };
      if (page.length < TILE_PAGE) return;
      from = Number(page[page.length - 1].index) + 1;
    }
  }

  async tile(level: number, index: number): Promise<Buffer | undefined> {
    const [row] = await this.query<{ hashes: Buffer }>(`SELECT hashes FROM merkle_tiles WHERE tenant_id = $1 AND level = $2 AND tile_index = $3`, [this.tenantId, level, index]);
    return row?.hashes;
  }

  /** Level-0 tiles by index. */
  async leafTilesAt(indexes: readonly number[]): Promise<Map<number, Buffer>> {
    if (!indexes.length) return new Map();
    const rows = await this.query<{ index: string; hashes: Buffer }>(
      `SELECT tile_index::text AS index, hashes FROM merkle_tiles WHERE tenant_id = $1 AND level = 0 AND tile_index = ANY ($2::bigint[])`,
      [this.tenantId, indexes],
    );
    return new Map(rows.map((r) => [Number(r.index), r.hashes]));
  }

  /** The signed tree heads of the checkpoints created in the window (all without one): size and root as signed. */
  async treeHeads(w: Window): Promise<TreeHeadClaim[]> {
    const rows = await this.query<{ payload: string; signature: string }>(
      `SELECT payload, signature FROM checkpoints
        WHERE tenant_id = $1 AND tree_size IS NOT NULL
          AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)`,
      [this.tenantId, w.from ?? null, w.to ?? null],
    );
    return rows.flatMap((r) => {
      const cp = parseStoredCheckpoint(r.payload, r.signature);
      // A malformed head (size NaN or a root that is not 32 bytes) is reported by the recomputation.
      const size = /^\d+$/.test(String(cp.tree?.size)) ? Number(cp.tree?.size) : NaN;
      const root = cp.tree?.rootHash ?? '';
      return [{ checkpointId: cp.checkpointId, size, rootHash: /^[0-9a-f]{64}$/.test(root) ? Buffer.from(root, 'hex') : Buffer.alloc(0) }];
    });
  }
}
