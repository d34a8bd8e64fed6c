import { Injectable } from '@nestjs/common';
import type { Checkpoint, CheckpointHead } from '@agent-ledger/contracts';
import { DataSource } from '@agent-ledger/persistence';

/** Chain heads and checkpoints, read and written outside the batch transactions. */
@Injectable()
export class CheckpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The committed heads of every chain of a tenant, in partition order (one consistent snapshot). */
  async headsOf(tenantId: string): Promise<CheckpointHead[]> {
    const rows: { partition: number; chain_seq: string; hash: string }[] = await this.dataSource.query(
      `SELECT kafka_partition AS partition, chain_seq::text AS chain_seq, encode(hash, 'hex') AS hash
         FROM chain_heads WHERE tenant_id = $1 AND chain_seq > 0 ORDER BY kafka_partition`,
      [tenantId],
    );
    return rows.map((r) => ({ partition: r.partition, chainSeq: r.chain_seq, hash: r.hash }));
  }

  /** Stores a signed checkpoint; `payload` is the exact signed text. */
  async insert(cp: Checkpoint, payload: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO checkpoints (id, tenant_id, created_at, heads, key_id, signature, payload) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)`,
      [cp.checkpointId, cp.tenantId, cp.createdAt, JSON.stringify(cp.heads), cp.keyId, cp.signature, payload],
    );
  }

  /** Tenants with a chain head that their latest checkpoint does not cover (e.g. after a crash). */
  async tenantsAheadOfCheckpoint(): Promise<string[]> {
    const rows: { tenant_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT h.tenant_id::text AS tenant_id
         FROM chain_heads h
        WHERE h.chain_seq > 0
          AND NOT EXISTS (
            SELECT 1
              FROM (SELECT heads FROM checkpoints c WHERE c.tenant_id = h.tenant_id ORDER BY c.created_at DESC LIMIT 1) latest,
                   jsonb_array_elements(latest.heads) e
             WHERE (e->>'partition')::int = h.kafka_partition AND (e->>'chainSeq')::bigint = h.chain_seq)`,
    );
    return rows.map((r) => r.tenant_id);
  }
}
