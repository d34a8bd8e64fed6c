import { Injectable } from '@nestjs/common';
import type { Checkpoint } from '@agent-ledger/contracts';
import { parseStoredCheckpoint, purgeAnchorsOf, RETENTION_PURGED, STORED_ROW_SQL_COLUMNS, type ChainAnchor, type RecordedHead, type StoredRow } from '@agent-ledger/integrity';
import { TenantDatabase } from '@agent-ledger/persistence';
import { MerkleReader } from './merkle-verification.repository';

export interface Window {
  from?: Date;
  to?: Date;
}

type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

const PAGE = 2_000;
const CHECKPOINT_PAGE = 500;

/** Reads one tenant's chains, chain heads and checkpoints for verification, page by page (memory stays flat). */
export class ChainReader {
  constructor(
    private readonly tenantId: string,
    private readonly query: Query,
  ) {}

  /** The tenant's rows recorded in the window, chain by chain in chain_seq order (keyset pages). */
  async *rows(w: Window): AsyncGenerator<StoredRow> {
    let after: { partition: number; seq: string } | undefined;
    for (;;) {
      const page = await this.query<StoredRow>(
        `SELECT ${STORED_ROW_SQL_COLUMNS} FROM audit_events
          WHERE tenant_id = $1
            AND ($2::timestamptz IS NULL OR recorded_at >= $2) AND ($3::timestamptz IS NULL OR recorded_at < $3)
            AND ($4::int IS NULL OR (kafka_partition, chain_seq) > ($4::int, $5::bigint))
          ORDER BY kafka_partition, chain_seq LIMIT ${PAGE}`,
        [this.tenantId, w.from ?? null, w.to ?? null, after?.partition ?? null, after?.seq ?? null],
      );
      for (const row of page) yield row;
      if (page.length < PAGE) return;
      const last = page[page.length - 1];
      after = { partition: last.partition, seq: String(last.chainSeq) };
    }
  }

  /**
   * Where each chain stands just before the window: the last row recorded before `from`. Rows
   * before the window are not re-read; their link to the window is checked (prev_hash) and any
   * signed checkpoint at that position is compared with the row's hash.
   */
  async anchorsBefore(from: Date): Promise<ChainAnchor[]> {
    const rows = await this.query<{ partition: number; chainSeq: string; hash: Buffer }>(
      `SELECT DISTINCT ON (kafka_partition) kafka_partition AS partition, chain_seq::text AS "chainSeq", hash
         FROM audit_events WHERE tenant_id = $1 AND recorded_at < $2
        ORDER BY kafka_partition, chain_seq DESC`,
      [this.tenantId, from],
    );
    return rows.map((r) => ({ tenantId: this.tenantId, partition: r.partition, chainSeq: r.chainSeq, hash: r.hash }));
  }

  /**
   * The anchors of the tenant's live `retention.purged` records: where chains go on after a purge
   * (docs/retention.md). The records themselves are rows like any other and verified with them.
   */
  async purgeAnchors(): Promise<ChainAnchor[]> {
    const rows = await this.query<{ eventJson: string }>(`SELECT event_json AS "eventJson" FROM audit_events WHERE tenant_id = $1 AND type = $2`, [this.tenantId, RETENTION_PURGED]);
    return rows.flatMap((r) => purgeAnchorsOf(r.eventJson));
  }

  /** The tenant's `chain_heads` rows: where the projector says each chain ends. */
  async heads(): Promise<RecordedHead[]> {
    const rows = await this.query<{ partition: number; chainSeq: string; hash: Buffer }>(
      `SELECT kafka_partition AS partition, chain_seq::text AS "chainSeq", hash FROM chain_heads WHERE tenant_id = $1 ORDER BY kafka_partition`,
      [this.tenantId],
    );
    return rows.map((r) => ({ tenantId: this.tenantId, partition: r.partition, chainSeq: r.chainSeq, hash: r.hash }));
  }

  /** Checkpoints created up to `to` (all of them, oldest first), in keyset pages. */
  async *checkpoints(to?: Date): AsyncGenerator<Checkpoint> {
    // The cursor keeps created_at as ISO text with microseconds: a JS Date would drop them and repeat rows.
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await this.query<{ id: string; createdAt: string; payload: string; signature: string }>(
        `SELECT id::text AS id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt", payload, signature FROM checkpoints
          WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR created_at < $2)
            AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
          ORDER BY created_at, checkpoints.id LIMIT ${CHECKPOINT_PAGE}`,
        [this.tenantId, to ?? null, after?.createdAt ?? null, after?.id ?? null],
      );
      for (const r of page) yield parseStoredCheckpoint(r.payload, r.signature);
      if (page.length < CHECKPOINT_PAGE) return;
      const last = page[page.length - 1];
      after = { createdAt: last.createdAt, id: last.id };
    }
  }
}

/** Chains and checkpoints in the tenant's scope (row-level security applies). */
@Injectable()
export class IntegrityRepository {
  constructor(private readonly db: TenantDatabase) {}

  /** A reader whose every statement is its own transaction (exports: checkpoints first, then rows). */
  reader(tenantId: string): ChainReader {
    return new ChainReader(tenantId, (sql, params) => this.db.query(tenantId, sql, params));
  }

  /** Runs `work` with readers whose statements all see one snapshot: rows, heads, checkpoints and the Merkle tree agree. */
  inSnapshot<T>(tenantId: string, work: (reader: ChainReader, tree: MerkleReader) => Promise<T>): Promise<T> {
    return this.db.snapshot(tenantId, (manager) => {
      const query: Query = (sql, params) => manager.query(sql, params);
      return work(new ChainReader(tenantId, query), new MerkleReader(tenantId, query));
    });
  }
}
