import { Injectable } from '@nestjs/common';
import type { Checkpoint } from '@agent-ledger/contracts';
import { parseStoredCheckpoint, STORED_ROW_SQL_COLUMNS, toChainExportRow, type ArchivedRow, type PurgeAnchor, type PurgeArchive, type PurgeCut, type StoredRow } from '@agent-ledger/integrity';
import { DataSource, type EntityManager } from '@agent-ledger/persistence';

export interface RetentionPolicy {
  retainFor: string;
  archive: boolean;
  legalHold: boolean;
}

export const DEFAULT_POLICY: RetentionPolicy = { retainFor: 'P90D', archive: true, legalHold: false };

export type PurgeState = 'planned' | 'archived' | 'recorded' | 'purged';

/** A `retention_purges` row with its cuts. */
export interface Purge {
  purgeId: string;
  tenantId: string;
  ordinal: number;
  state: PurgeState;
  horizon: string;
  checkpointId: string;
  archiveRequired: boolean;
  archive: PurgeArchive | null;
  events: number;
  recordedFrom: string | null;
  recordedTo: string | null;
  recordEventId: string;
  cuts: PurgeCut[];
}

/** What a purge removed besides the rows of its cuts. */
export interface Deleted {
  events: number;
  actions: number;
  escalations: number;
  deliveries: number;
}

const PAGE = 2_000;
const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/** The SQL of retention, as the retention role (docs/retention.md). */
@Injectable()
export class PurgeRepository {
  constructor(private readonly dataSource: DataSource) {}

  async tenants(): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM tenants ORDER BY created_at, id`);
    return rows.map((r) => r.id);
  }

  async policy(tenantId: string): Promise<RetentionPolicy> {
    const [row] = await this.dataSource.query(`SELECT retain_for, archive, legal_hold FROM retention_policies WHERE tenant_id = $1`, [tenantId]);
    return row ? { retainFor: row.retain_for, archive: row.archive, legalHold: row.legal_hold } : DEFAULT_POLICY;
  }

  /**
   * Runs `work` while holding the tenant's retention lock (a session advisory lock: released when the
   * connection ends, so a killed worker never leaves it held); undefined when another runner has it.
   */
  async withTenantLock<T>(tenantId: string, work: () => Promise<T>): Promise<T | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = `agent-ledger.retention:${tenantId}`;
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [key]);
      if (!locked) return undefined;
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
      }
    } finally {
      await runner.release();
    }
  }

  /** The tenant's oldest purge that has not finished (a run resumes it before planning another). */
  async unfinished(tenantId: string): Promise<Purge | undefined> {
    const [row] = await this.dataSource.query(`SELECT * FROM retention_purges WHERE tenant_id = $1 AND state <> 'purged' ORDER BY ordinal LIMIT 1`, [tenantId]);
    return row ? this.withCuts(row) : undefined;
  }

  /** The checkpoint a purge ends at, as signed. */
  async checkpoint(checkpointId: string): Promise<Checkpoint> {
    const [row] = await this.dataSource.query(`SELECT payload, signature FROM checkpoints WHERE id = $1`, [checkpointId]);
    if (!row) throw new Error(`checkpoint ${checkpointId} is not in the database`);
    return parseStoredCheckpoint(row.payload, row.signature);
  }

  /**
   * Plans the next purge in one transaction: the horizon from the database clock, the newest
   * checkpoint created before it, and per chain the rows from the end of the previous cut up to that
   * checkpoint's head. Undefined when nothing is due.
   */
  async plan(tenantId: string, policy: RetentionPolicy, ids: { purgeId: string; recordEventId: string }): Promise<Purge | undefined> {
    return this.dataSource.transaction(async (m) => {
      const [{ horizon }] = await m.query(`SELECT now() - $1::interval AS horizon`, [policy.retainFor]);
      const [cp] = await m.query(`SELECT id, heads FROM checkpoints WHERE tenant_id = $1 AND created_at < $2 ORDER BY created_at DESC LIMIT 1`, [tenantId, horizon]);
      if (!cp) return undefined;
      const done = new Map<number, bigint>();
      for (const r of await m.query(`SELECT kafka_partition, max(to_seq)::text AS to_seq FROM retention_cuts WHERE tenant_id = $1 GROUP BY kafka_partition`, [tenantId])) {
        done.set(r.kafka_partition, BigInt(r.to_seq));
      }
      const cuts: PurgeCut[] = [];
      for (const head of cp.heads as { partition: number; chainSeq: string; hash: string }[]) {
        const from = (done.get(head.partition) ?? 0n) + 1n;
        const to = BigInt(head.chainSeq);
        if (to < from) continue;
        const [first] = await m.query(`SELECT hash FROM audit_events WHERE tenant_id = $1 AND kafka_partition = $2 AND chain_seq = $3`, [tenantId, head.partition, from.toString()]);
        if (!first) throw new Error(`tenant ${tenantId}, partition ${head.partition}: chain_seq ${from} is missing, the chain is broken; nothing is purged (verify the tenant)`);
        cuts.push({ partition: head.partition, fromSeq: from.toString(), toSeq: to.toString(), firstHash: (first.hash as Buffer).toString('hex'), lastHash: head.hash, events: Number(to - from + 1n) });
      }
      if (!cuts.length) return undefined;
      const [{ next }] = await m.query(`SELECT coalesce(max(ordinal), 0) + 1 AS next FROM retention_purges WHERE tenant_id = $1`, [tenantId]);
      const events = cuts.reduce((n, c) => n + c.events, 0);
      await m.query(
        `INSERT INTO retention_purges (purge_id, tenant_id, ordinal, state, horizon, checkpoint_id, archive_required, events, record_event_id)
         VALUES ($1, $2, $3, 'planned', $4, $5, $6, $7, $8)`,
        [ids.purgeId, tenantId, next, horizon, cp.id, policy.archive, events, ids.recordEventId],
      );
      for (const c of cuts) {
        await m.query(
          `INSERT INTO retention_cuts (purge_id, tenant_id, kafka_partition, from_seq, to_seq, first_hash, last_hash, events) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [ids.purgeId, tenantId, c.partition, c.fromSeq, c.toSeq, Buffer.from(c.firstHash, 'hex'), Buffer.from(c.lastHash, 'hex'), c.events],
        );
      }
      const [row] = await m.query(`SELECT * FROM retention_purges WHERE purge_id = $1`, [ids.purgeId]);
      return this.withCuts(row, m);
    });
  }

  /** The rows of a cut in chain_seq order, a page at a time (memory stays flat). */
  async *rows(tenantId: string, cut: PurgeCut): AsyncGenerator<ArchivedRow> {
    let after = BigInt(cut.fromSeq) - 1n;
    const to = BigInt(cut.toSeq);
    while (after < to) {
      const page = await this.dataSource.query(
        `SELECT ${STORED_ROW_SQL_COLUMNS}, kafka_offset::text AS "kafkaOffset", recorded_at AS "recordedAt"
           FROM audit_events WHERE tenant_id = $1 AND kafka_partition = $2 AND chain_seq > $3 AND chain_seq <= $4 ORDER BY chain_seq LIMIT ${PAGE}`,
        [tenantId, cut.partition, after.toString(), cut.toSeq],
      );
      if (!page.length) return;
      for (const r of page) yield toArchivedRow(r);
      after = BigInt(page[page.length - 1].chainSeq);
    }
  }

  /** The period of a cut's rows (first and last recorded_at), for a purge that keeps no archive. */
  async period(tenantId: string, cuts: PurgeCut[]): Promise<{ from: string | null; to: string | null }> {
    let from: string | null = null;
    let to: string | null = null;
    for (const c of cuts) {
      const [r] = await this.dataSource.query(
        `SELECT min(recorded_at) AS lo, max(recorded_at) AS hi FROM audit_events WHERE tenant_id = $1 AND kafka_partition = $2 AND chain_seq BETWEEN $3 AND $4`,
        [tenantId, c.partition, c.fromSeq, c.toSeq],
      );
      const lo = iso(r.lo);
      const hi = iso(r.hi);
      if (lo && (!from || lo < from)) from = lo;
      if (hi && (!to || hi > to)) to = hi;
    }
    return { from, to };
  }

  async markArchived(purgeId: string, archive: PurgeArchive | null, period: { from: string | null; to: string | null }): Promise<void> {
    await this.dataSource.query(
      `UPDATE retention_purges SET state = 'archived', archive = $2, recorded_from = $3, recorded_to = $4, archived_at = now() WHERE purge_id = $1 AND state = 'planned'`,
      [purgeId, archive === null ? null : JSON.stringify(archive), period.from, period.to],
    );
  }

  /** For every chain of the tenant ever cut, where it goes on from (the end of its latest cut). */
  async anchors(tenantId: string): Promise<PurgeAnchor[]> {
    const rows = await this.dataSource.query(
      `SELECT DISTINCT ON (kafka_partition) kafka_partition, to_seq::text, last_hash FROM retention_cuts WHERE tenant_id = $1 ORDER BY kafka_partition, to_seq DESC`,
      [tenantId],
    );
    return rows.map((r: { kafka_partition: number; to_seq: string; last_hash: Buffer }) => ({ partition: r.kafka_partition, chainSeq: r.to_seq, hash: r.last_hash.toString('hex') }));
  }

  async isStored(tenantId: string, eventId: string): Promise<boolean> {
    const rows = await this.dataSource.query(`SELECT 1 FROM event_ids WHERE tenant_id = $1 AND event_id = $2`, [tenantId, eventId]);
    return rows.length > 0;
  }

  async markRecorded(purgeId: string): Promise<void> {
    await this.dataSource.query(`UPDATE retention_purges SET state = 'recorded', recorded_at = now() WHERE purge_id = $1 AND state = 'archived'`, [purgeId]);
  }

  /**
   * Deletes what the purge covers, in one transaction: its rows (the audit log's trigger checks each
   * one against the purge), the actions left without events (with their anomaly findings), resolved escalations and finished
   * deliveries of the purged period; then marks the purge done.
   */
  async delete(purge: Purge): Promise<Deleted> {
    return this.dataSource.transaction(async (m) => {
      let events = 0;
      const actionIds = new Set<string>();
      for (const c of purge.cuts) {
        const [r] = await m.query(
          `WITH gone AS (DELETE FROM audit_events WHERE tenant_id = $1 AND kafka_partition = $2 AND chain_seq BETWEEN $3 AND $4 RETURNING action_id)
           SELECT count(*)::int AS n, coalesce(array_agg(DISTINCT action_id) FILTER (WHERE action_id IS NOT NULL), '{}') AS actions FROM gone`,
          [purge.tenantId, c.partition, c.fromSeq, c.toSeq],
        );
        if (r.n !== c.events) throw new Error(`purge ${purge.purgeId}: partition ${c.partition} chain_seq ${c.fromSeq}..${c.toSeq} should hold ${c.events} rows but ${r.n} were there; nothing was deleted`);
        events += r.n;
        for (const a of r.actions as string[]) actionIds.add(a);
      }
      const actions = await this.deleteActionsWithoutEvents(m, purge.tenantId, [...actionIds]);
      const until = purge.recordedTo ?? purge.horizon;
      const [esc] = await m.query(
        `WITH esc AS (DELETE FROM escalations WHERE tenant_id = $1 AND status = 'resolved' AND updated_at <= $2 RETURNING escalation_id),
              ev AS (DELETE FROM escalation_events WHERE tenant_id = $1 AND escalation_id IN (SELECT escalation_id FROM esc) RETURNING 1),
              ne AS (DELETE FROM notification_escalations WHERE tenant_id = $1 AND escalation_id IN (SELECT escalation_id FROM esc) RETURNING 1)
         SELECT (SELECT count(*) FROM esc)::int AS n, (SELECT count(*) FROM ev)::int AS ev, (SELECT count(*) FROM ne)::int AS ne`,
        [purge.tenantId, until],
      );
      const [del] = await m.query(
        `WITH d AS (DELETE FROM deliveries WHERE tenant_id = $1 AND status IN ('delivered', 'failed') AND updated_at <= $2 RETURNING 1) SELECT count(*)::int AS n FROM d`,
        [purge.tenantId, until],
      );
      const deleted: Deleted = { events, actions, escalations: esc.n, deliveries: del.n };
      await m.query(`UPDATE retention_purges SET state = 'purged', purged_at = now(), deleted = $2 WHERE purge_id = $1`, [purge.purgeId, JSON.stringify(deleted)]);
      return deleted;
    });
  }

  /** Drops each past month's partition of audit_events that no tenant has a row in any more. */
  async dropEmptyPartitions(): Promise<string[]> {
    const parts: { part: string }[] = await this.dataSource.query(
      `SELECT inhrelid::regclass::text AS part FROM pg_inherits WHERE inhparent = 'audit_events'::regclass AND inhrelid::regclass::text <> 'audit_events_default' ORDER BY 1`,
    );
    const dropped: string[] = [];
    for (const { part } of parts) {
      const [{ done }] = await this.dataSource.query(`SELECT ledger_drop_empty_audit_partition($1::regclass) AS done`, [part]);
      if (done) dropped.push(part);
    }
    return dropped;
  }

  private async deleteActionsWithoutEvents(m: EntityManager, tenantId: string, actionIds: string[]): Promise<number> {
    if (!actionIds.length) return 0;
    const [r] = await m.query(
      `WITH d AS (DELETE FROM actions a WHERE a.tenant_id = $1 AND a.action_id = ANY ($2::text[])
                    AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.tenant_id = $1 AND e.action_id = a.action_id) RETURNING a.action_id),
            f AS (DELETE FROM action_anomaly_findings x USING d WHERE x.tenant_id = $1 AND x.action_id = d.action_id RETURNING 1)
       SELECT count(*)::int AS n, (SELECT count(*) FROM f)::int AS findings FROM d`,
      [tenantId, actionIds],
    );
    return r.n;
  }

  private async withCuts(row: Record<string, unknown>, m: EntityManager = this.dataSource.manager): Promise<Purge> {
    const cuts = await m.query(
      `SELECT kafka_partition, from_seq::text, to_seq::text, first_hash, last_hash, events FROM retention_cuts WHERE purge_id = $1 ORDER BY kafka_partition`,
      [row.purge_id],
    );
    return {
      purgeId: row.purge_id as string,
      tenantId: row.tenant_id as string,
      ordinal: row.ordinal as number,
      state: row.state as PurgeState,
      horizon: iso(row.horizon as Date) as string,
      checkpointId: row.checkpoint_id as string,
      archiveRequired: row.archive_required as boolean,
      archive: (row.archive as PurgeArchive | null) ?? null,
      events: Number(row.events),
      recordedFrom: iso(row.recorded_from as Date | null),
      recordedTo: iso(row.recorded_to as Date | null),
      recordEventId: row.record_event_id as string,
      cuts: cuts.map((c: Record<string, unknown>) => ({
        partition: c.kafka_partition as number,
        fromSeq: c.from_seq as string,
        toSeq: c.to_seq as string,
        firstHash: (c.first_hash as Buffer).toString('hex'),
        lastHash: (c.last_hash as Buffer).toString('hex'),
        events: Number(c.events),
      })),
    };
  }
}

function toArchivedRow(r: StoredRow & { kafkaOffset: string; recordedAt: Date }): ArchivedRow {
  return { ...toChainExportRow(r), kafkaOffset: r.kafkaOffset, recordedAt: new Date(r.recordedAt).toISOString() };
}
