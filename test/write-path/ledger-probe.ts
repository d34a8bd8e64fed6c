import type { KeyObject } from 'node:crypto';
import { Client } from 'pg';
import { ACTION_EVENTS_TOPIC, type Checkpoint } from '@agent-ledger/contracts';
import { parseStoredCheckpoint, STORED_ROW_SQL_COLUMNS, verifyChains, type StoredRow, type VerificationReport } from '@agent-ledger/integrity';
import type { Kafka } from '@agent-ledger/kafka';
import { waitFor } from '@agent-ledger/testing';
import type { Workload } from './workload';

/**
 * Reads what the projector stored for a tenant straight from PostgreSQL (an independent view of
 * the record), and checks it against a workload: exactly once, final action states, gap-free
 * chains, verification against the checkpoints signed with the test's key.
 */
export class LedgerProbe {
  constructor(
    private readonly db: Client,
    private readonly kafka: Kafka,
    private readonly opts: { databaseUrl: string; groupId: string; publicKey: KeyObject; keyId: string },
  ) {}

  async countEvents(tenantId: string): Promise<number> {
    const { rows } = await this.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1`, [tenantId]);
    return rows[0].n;
  }

  /** Every event stored and the group past the high watermark of every partition (duplicates consumed too). */
  async waitUntilProjected(tenantId: string, workload: Workload): Promise<void> {
    await waitFor(async () => (await this.countEvents(tenantId)) >= workload.distinct.length, { timeoutMs: 90_000, what: `${workload.distinct.length} events of ${tenantId}` });
    const admin = this.kafka.admin();
    await admin.connect();
    const high = await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC);
    await admin.disconnect();
    await waitFor(
      async () => {
        const { rows } = await this.db.query(`SELECT kafka_partition, next_offset::text AS next FROM consumer_offsets WHERE group_id = $1 AND topic = $2`, [this.opts.groupId, ACTION_EVENTS_TOPIC]);
        const next = new Map(rows.map((r) => [r.kafka_partition as number, BigInt(r.next)]));
        return high.every((h) => (next.get(h.partition) ?? 0n) >= BigInt(h.high));
      },
      { timeoutMs: 30_000, what: 'stored offsets to reach the high watermarks' },
    );
  }

  async expectStoredExactlyOnce(tenantId: string, workload: Workload): Promise<void> {
    // The ledger's own change.recorded events (tenant creation, key changes) are not part of the workload.
    const { rows } = await this.db.query(
      `SELECT event_id::text AS id, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND agent_id IS DISTINCT FROM 'agent-ledger' GROUP BY event_id`,
      [tenantId],
    );
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(rows.map((r) => r.id).sort()).toEqual(workload.distinct.map((e) => e.eventId).sort());
  }

  async expectActionStates(tenantId: string, workload: Workload): Promise<void> {
    const { rows } = await this.db.query(`SELECT action_id, status, anomaly, event_count FROM actions WHERE tenant_id = $1 AND action_id LIKE 'act-%'`, [tenantId]);
    const actual = Object.fromEntries(rows.map((r) => [r.action_id, { status: r.status, anomaly: r.anomaly, eventCount: r.event_count }]));
    expect(actual).toEqual(workload.expectedActions);
  }

  async expectGapFreeChains(tenantId: string): Promise<void> {
    const { rows } = await this.db.query(
      `SELECT e.kafka_partition, min(e.chain_seq)::text AS lo, max(e.chain_seq)::text AS hi, count(*)::text AS n, h.chain_seq::text AS head
         FROM audit_events e JOIN chain_heads h ON h.tenant_id = e.tenant_id AND h.kafka_partition = e.kafka_partition
        WHERE e.tenant_id = $1 GROUP BY e.kafka_partition, h.chain_seq`,
      [tenantId],
    );
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) expect({ partition: r.kafka_partition, lo: r.lo, hi: r.hi, head: r.head }).toEqual({ partition: r.kafka_partition, lo: '1', hi: r.n, head: r.n });
  }

  /** Verifies a tenant's chains against its checkpoints signed with this test's key. */
  async verifyTenant(tenantId: string, opts: { waitForCheckpoint?: boolean } = {}): Promise<VerificationReport> {
    if (opts.waitForCheckpoint) {
      await waitFor(
        async () => {
          const heads = await this.db.query(`SELECT kafka_partition AS partition, chain_seq::text AS seq FROM chain_heads WHERE tenant_id = $1 ORDER BY 1`, [tenantId]);
          const latest = (await this.checkpointsOf(tenantId)).at(-1);
          return latest && JSON.stringify(latest.heads.map((h) => ({ partition: h.partition, seq: h.chainSeq }))) === JSON.stringify(heads.rows);
        },
        { timeoutMs: 20_000, what: 'a checkpoint covering the current heads' },
      );
    }
    const { rows } = await this.db.query(`SELECT ${STORED_ROW_SQL_COLUMNS} FROM audit_events WHERE tenant_id = $1 ORDER BY kafka_partition, chain_seq`, [tenantId]);
    return verifyChains(rows as StoredRow[], await this.checkpointsOf(tenantId), this.opts.publicKey);
  }

  async checkpointsOf(tenantId: string): Promise<Checkpoint[]> {
    const { rows } = await this.db.query(`SELECT payload, signature FROM checkpoints WHERE tenant_id = $1 AND key_id = $2 ORDER BY created_at`, [tenantId, this.opts.keyId]);
    return rows.map((r) => parseStoredCheckpoint(r.payload, r.signature));
  }

  /** Runs one statement as the superuser with the append-only trigger of that partition disabled (atomically). */
  asSuperuserWithoutTrigger(partitionTable: string, sql: string, params: unknown[]): Promise<void> {
    return alterWithoutTrigger(this.opts.databaseUrl, partitionTable, sql, params);
  }
}

/**
 * What a database superuser could do: runs one statement on an `audit_events` partition with its
 * append-only trigger disabled, atomically. Expects the statement to touch at least one row.
 */
export async function alterWithoutTrigger(databaseUrl: string, partitionTable: string, sql: string, params: unknown[]): Promise<void> {
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query('BEGIN');
    await admin.query(`ALTER TABLE ${partitionTable} DISABLE TRIGGER audit_events_no_update_delete`);
    const result = await admin.query(sql, params);
    expect(result.rowCount).toBeGreaterThan(0);
    await admin.query(`ALTER TABLE ${partitionTable} ENABLE TRIGGER audit_events_no_update_delete`);
    await admin.query('COMMIT');
  } finally {
    await admin.end();
  }
}
