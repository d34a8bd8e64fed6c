import { Injectable } from '@nestjs/common';
import type { Checkpoint } from '@agent-ledger/contracts';
import { parseStoredCheckpoint, STORED_ROW_SQL_COLUMNS, type ChainAnchor, type StoredRow } from '@agent-ledger/integrity';
import { TenantDatabase } from '@agent-ledger/persistence';

export interface Window {
  from?: Date;
  to?: Date;
}

const PAGE = 2_000;
const CHECKPOINT_PAGE = 500;

/** Reads chains and checkpoints for verification, page by page (memory stays flat), in the tenant's scope. */
@Injectable()
export class IntegrityRepository {
  constructor(private readonly db: TenantDatabase) {}

  /** The tenant's rows recorded in the window, chain by chain in chain_seq order (keyset pages). */
  async *rows(tenantId: string, w: Window): AsyncGenerator<StoredRow> {
    let after: { partition: number; seq: string } | undefined;
    for (;;) {
      const page = await this.db.query<StoredRow>(
        tenantId,
        `SELECT ${STORED_ROW_SQL_COLUMNS} FROM audit_events
          WHERE tenant_id = $1
            AND ($2::timestamptz IS NULL OR recorded_at >= $2) AND ($3::timestamptz IS NULL OR recorded_at < $3)
            AND ($4::int IS NULL OR (kafka_partition, chain_seq) > ($4::int, $5::bigint))
          ORDER BY kafka_partition, chain_seq LIMIT ${PAGE}`,
        [tenantId, w.from ?? null, w.to ?? null, after?.partition ?? null, after?.seq ?? null],
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
  async anchorsBefore(tenantId: string, from: Date): Promise<ChainAnchor[]> {
    const rows = await this.db.query<{ partition: number; chainSeq: string; hash: Buffer }>(
      tenantId,
      `SELECT DISTINCT ON (kafka_partition) kafka_partition AS partition, chain_seq::text AS "chainSeq", hash
         FROM audit_events WHERE tenant_id = $1 AND recorded_at < $2
        ORDER BY kafka_partition, chain_seq DESC`,
      [tenantId, from],
    );
    return rows.map((r) => ({ tenantId, partition: r.partition, chainSeq: r.chainSeq, hash: r.hash }));
  }

  /** Checkpoints created up to `to` (all of them, oldest first), in keyset pages. */
  async *checkpoints(tenantId: string, to?: Date): AsyncGenerator<Checkpoint> {
    // The cursor keeps created_at as ISO text with microseconds: a JS Date would drop them and repeat rows.
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await this.db.query<{ id: string; createdAt: string; payload: string; signature: string }>(
        tenantId,
        `SELECT id::text AS id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt", payload, signature FROM checkpoints
          WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR created_at < $2)
            AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
          ORDER BY created_at, id LIMIT ${CHECKPOINT_PAGE}`,
        [tenantId, to ?? null, after?.createdAt ?? null, after?.id ?? null],
      );
      for (const r of page) yield parseStoredCheckpoint(r.payload, r.signature);
      if (page.length < CHECKPOINT_PAGE) return;
      const last = page[page.length - 1];
      after = { createdAt: last.createdAt, id: last.id };
    }
  }
}
