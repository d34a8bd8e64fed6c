import { Injectable } from '@nestjs/common';
import type { QueryColumns } from '@agent-ledger/integrity';
import { DataSource, type QueryRunner } from '@agent-ledger/persistence';

/** One `audit_events` row to insert (recorded_at is the transaction time). */
export interface AuditEventInsert extends QueryColumns {
  tenantId: string;
  eventId: string;
  kafkaOffset: bigint;
  chainSeq: bigint;
  prevHash: Buffer;
  hash: Buffer;
  type: string;
  actionId: string | null;
  sessionId: string | null;
  agentId: string | null;
  actorId: string | null;
  toolName: string | null;
  riskLevel: string | null;
  approvalDecision: string | null;
  subjectId: string | null;
  resourceType: string | null;
  resourceId: string | null;
  occurredAt: string;
  receivedAt: string;
  eventJson: string;
}

export interface ChainHead {
  seq: bigint;
  hash: Buffer;
}

/**
 * The projector's transactions and the statements of a batch's bookkeeping (offsets, tenants,
 * event ids). Each batch runs in ONE transaction ({@link ProjectionRepository.transaction}); the
 * parts write through {@link ProjectionTransaction.rows} (chain-writer.repository, actions.repository,
 * rollups). Every statement is set-based (unnest of arrays), so a batch costs a fixed number of
 * round trips whatever its size. Rows are locked in a fixed order (sorted keys) so concurrent
 * writers cannot deadlock on each other's order.
 */
@Injectable()
export class ProjectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs fn in a transaction on one connection; commits if it resolves, rolls back if it throws. */
  async transaction<T>(fn: (tx: ProjectionTransaction) => Promise<T>): Promise<T> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction('READ COMMITTED');
      const result = await fn(new ProjectionTransaction(qr));
      await qr.commitTransaction();
      return result;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  /** The stored next offsets of a group's partitions (only those that have one). */
  async storedOffsets(groupId: string, topic: string, partitions: number[]): Promise<{ partition: number; nextOffset: string }[]> {
    const rows: { kafka_partition: number; next_offset: string }[] = await this.dataSource.query(
      `SELECT kafka_partition, next_offset::text AS next_offset FROM consumer_offsets
        WHERE group_id = $1 AND topic = $2 AND kafka_partition = ANY($3::int[])`,
      [groupId, topic, partitions],
    );
    return rows.map((r) => ({ partition: r.kafka_partition, nextOffset: r.next_offset }));
  }

  /**
   * Creates the audit_events partitions of the current and the next month if missing. Serialized
   * across instances by an advisory lock; gives up after 5 s rather than queue behind batches
   * (creating a partition locks the parent table).
   */
  async ensureMonthPartitions(): Promise<string[]> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      await qr.query(`SET LOCAL lock_timeout = '5s'`);
      await qr.query(`SELECT pg_advisory_xact_lock(hashtext('agent-ledger:audit_events partitions'))`);
      const rows: { a: string; b: string }[] = await qr.query(
        `SELECT ensure_audit_events_partition(date_trunc('month', now())::date) AS a,
                ensure_audit_events_partition((date_trunc('month', now()) + interval '1 month')::date) AS b`,
      );
      await qr.commitTransaction();
      return [rows[0].a, rows[0].b];
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }
}

/** The statements of one batch transaction. */
export class ProjectionTransaction {
  constructor(private readonly qr: QueryRunner) {}

  /** Runs one statement in this transaction and returns its rows (also the subject-key store's way in). */
  readonly rows = async <T>(sql: string, params: unknown[]): Promise<T[]> => {
    const result = await this.qr.query(sql, params, true);
    return (result.records ?? []) as T[];
  };

  /** Locks the group's position in the partition (creating it at 0) and returns the next offset to store. */
  async lockOffset(groupId: string, topic: string, partition: number): Promise<bigint> {
    const [row] = await this.rows<{ next_offset: string }>(
      `INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES ($1, $2, $3, 0)
       ON CONFLICT (group_id, topic, kafka_partition) DO UPDATE SET next_offset = consumer_offsets.next_offset
       RETURNING next_offset::text AS next_offset`,
      [groupId, topic, partition],
    );
    return BigInt(row.next_offset);
  }

  /** Which of these tenant ids exist. */
  async existingTenants(ids: string[]): Promise<Set<string>> {
    const rows = await this.rows<{ id: string }>(`SELECT id::text AS id FROM tenants WHERE id = ANY($1::uuid[])`, [ids]);
    return new Set(rows.map((r) => r.id));
  }

  /** Claims event ids; returns the `tenant/event` keys that were new (the rest were stored before). */
  async claimEventIds(ids: { tenantId: string; eventId: string }[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const sorted = [...ids].sort((a, b) => cmp(a.tenantId, b.tenantId) || cmp(a.eventId, b.eventId));
    const rows = await this.rows<{ tenant_id: string; event_id: string }>(
      `INSERT INTO event_ids (tenant_id, event_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[])
       ON CONFLICT DO NOTHING
       RETURNING tenant_id::text AS tenant_id, event_id::text AS event_id`,
      [sorted.map((i) => i.tenantId), sorted.map((i) => i.eventId)],
    );
    return new Set(rows.map((r) => `${r.tenant_id}/${r.event_id}`));
  }

  /** Moves the chain heads and the group's offset forward: the last statement before COMMIT. */
  async finish(p: { groupId: string; topic: string; partition: number; nextOffset: bigint; heads: Map<string, ChainHead> }): Promise<void> {
    const heads = [...p.heads.entries()];
    await this.qr.query(
      `WITH heads AS (
         UPDATE chain_heads c SET chain_seq = u.seq, hash = u.hash, updated_at = now()
           FROM unnest($5::uuid[], $6::bigint[], $7::bytea[]) AS u(tenant_id, seq, hash)
          WHERE c.tenant_id = u.tenant_id AND c.kafka_partition = $3
       )
       UPDATE consumer_offsets SET next_offset = GREATEST(next_offset, $4::bigint), updated_at = now()
        WHERE group_id = $1 AND topic = $2 AND kafka_partition = $3`,
      [p.groupId, p.topic, p.partition, p.nextOffset.toString(), heads.map(([t]) => t), heads.map(([, h]) => h.seq.toString()), heads.map(([, h]) => h.hash)],
    );
  }
}

/** Orders strings by UTF-16 code units: rows are locked in this order by every writer. */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
