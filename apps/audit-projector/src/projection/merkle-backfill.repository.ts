import { Injectable } from '@nestjs/common';
import { DataSource } from '@agent-ledger/persistence';
import type { BackfillRange, BackfillRow } from './merkle-backfill-plan';
import type { ProjectionTransaction } from './projection.repository';

type Tx = Pick<ProjectionTransaction, 'rows'>;

/** What the backfill has left: ranges, and chain positions in them (an upper bound of the events to add). */
export interface BackfillPending {
  ranges: number;
  positions: number;
}

/**
 * The Merkle backfill's statements (`merkle_backfill`, migration 1732300002430): claim a range, read
 * its next rows, move or delete it — in the chunk's transaction — and count what is left.
 */
@Injectable()
export class MerkleBackfillRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Locks the first range no other transaction holds (SKIP LOCKED: a second projector takes another
   * range or none, it never waits and never works on the same one).
   */
  async claimRange(tx: Tx): Promise<BackfillRange | undefined> {
    const [row] = await tx.rows<{ tenant_id: string; kafka_partition: number; next_seq: string; through_seq: string }>(
      `SELECT tenant_id::text AS tenant_id, kafka_partition, next_seq::text AS next_seq, through_seq::text AS through_seq
         FROM merkle_backfill ORDER BY tenant_id, kafka_partition LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [],
    );
    return row && { tenantId: row.tenant_id, partition: row.kafka_partition, nextSeq: BigInt(row.next_seq), throughSeq: BigInt(row.through_seq) };
  }

  /** The range's next stored rows from `nextSeq` (at most `limit`, in chain order), each with whether it has a leaf. */
  async nextRows(tx: Tx, range: BackfillRange, limit: number): Promise<BackfillRow[]> {
    const rows = await tx.rows<{ event_id: string; chain_seq: string; hash: Buffer; has_leaf: boolean }>(
      `SELECT e.event_id::text AS event_id, e.chain_seq::text AS chain_seq, e.hash,
              EXISTS (SELECT 1 FROM merkle_leaves l WHERE l.tenant_id = e.tenant_id AND l.event_id = e.event_id) AS has_leaf
         FROM audit_events e
        WHERE e.tenant_id = $1 AND e.kafka_partition = $2 AND e.chain_seq BETWEEN $3 AND $4
        ORDER BY e.chain_seq LIMIT $5`,
      [range.tenantId, range.partition, range.nextSeq.toString(), range.throughSeq.toString(), limit],
    );
    return rows.map((r) => ({ eventId: r.event_id, chainSeq: BigInt(r.chain_seq), hash: r.hash, hasLeaf: r.has_leaf }));
  }

  /** Moves the range's start to `nextSeq`, or deletes the range when it is done (`nextSeq` undefined). */
  async advance(tx: Tx, range: BackfillRange, nextSeq: bigint | undefined): Promise<void> {
    if (nextSeq === undefined) {
      await tx.rows(`DELETE FROM merkle_backfill WHERE tenant_id = $1 AND kafka_partition = $2`, [range.tenantId, range.partition]);
    } else {
      await tx.rows(`UPDATE merkle_backfill SET next_seq = $3 WHERE tenant_id = $1 AND kafka_partition = $2`, [range.tenantId, range.partition, nextSeq.toString()]);
    }
  }

  /** What is left, across all tenants. */
  async pending(): Promise<BackfillPending> {
    const [row]: { ranges: number; positions: string }[] = await this.dataSource.query(
      `SELECT count(*)::int AS ranges, COALESCE(sum(through_seq - next_seq + 1), 0)::text AS positions FROM merkle_backfill`,
    );
    return { ranges: row.ranges, positions: Number(row.positions) };
  }
}
