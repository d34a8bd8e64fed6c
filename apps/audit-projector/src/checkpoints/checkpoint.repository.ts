import { Injectable } from '@nestjs/common';
import type { Checkpoint, CheckpointHead, CheckpointTree } from '@agent-ledger/contracts';
import { DataSource } from '@agent-ledger/persistence';

type Query = <T>(sql: string, params?: unknown[]) => Promise<T>;

/** Chain heads and checkpoints, read and written outside the batch transactions. */
@Injectable()
export class CheckpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Signs and stores a checkpoint of the tenant's committed heads, one writer per tenant at a time
   * (a transaction-scoped advisory lock): the heads are read after the previous checkpoint was
   * stored, and createdAt — the database clock, never before the tenant's latest checkpoint — is
   * taken after them. So over createdAt a later checkpoint never signs less than an earlier one,
   * whichever projector instance wrote them. Nothing is written when the latest checkpoint already
   * signs these heads and this tree size (the Merkle backfill grows a tree without moving the heads).
   * The tenant's Merkle tree head is read in the same statement as the heads (one snapshot: the batch
   * that moved them moved it) and signed with them. `sign` returns the checkpoint and its exact
   * signed payload.
   */
  storeOverHeads(
    tenantId: string,
    sign: (heads: CheckpointHead[], createdAt: string, tree: CheckpointTree | undefined) => { checkpoint: Checkpoint; payload: string },
  ): Promise<Checkpoint | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const q: Query = (sql, params) => manager.query(sql, params);
      await q(`SELECT pg_advisory_xact_lock(hashtextextended('agent-ledger:checkpoint:' || $1::text, 0))`, [tenantId]);
      const { heads, tree } = await this.headsOf(q, tenantId);
      if (!heads.length) return undefined;
      const [latest] = await q<{ heads: CheckpointHead[]; tree_size: string | null }[]>(
        `SELECT heads, tree_size::text AS tree_size FROM checkpoints WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 1`,
        [tenantId],
      );
      if (latest && sameHeads(latest.heads, heads) && latest.tree_size === (tree?.size ?? null)) return undefined;
      const [{ createdAt }] = await q<{ createdAt: string }[]>(
        `SELECT to_char(GREATEST(clock_timestamp(), (SELECT max(created_at) FROM checkpoints WHERE tenant_id = $1)) AT TIME ZONE 'UTC',
                        'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`,
        [tenantId],
      );
      const { checkpoint: cp, payload } = sign(heads, createdAt, tree);
      await q(
        `INSERT INTO checkpoints (id, tenant_id, created_at, heads, key_id, signature, payload, tree_size) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)`,
        [cp.checkpointId, cp.tenantId, cp.createdAt, JSON.stringify(cp.heads), cp.keyId, cp.signature, payload, cp.tree?.size ?? null],
      );
      return cp;
    });
  }

  /**
   * The committed heads of every chain of a tenant, in partition order, and its Merkle tree head
   * (absent before its first leaf), in one statement: one consistent snapshot.
   */
  private async headsOf(q: Query, tenantId: string): Promise<{ heads: CheckpointHead[]; tree?: CheckpointTree }> {
    const rows = await q<{ partition: number | null; chain_seq: string | null; hash: string | null; tree_size: string | null; root_hash: string | null }[]>(
      `SELECT h.kafka_partition AS partition, h.chain_seq::text AS chain_seq, encode(h.hash, 'hex') AS hash,
              t.tree_size::text AS tree_size, encode(t.root_hash, 'hex') AS root_hash
         FROM (SELECT 1) one
         LEFT JOIN chain_heads h ON h.tenant_id = $1 AND h.chain_seq > 0
         LEFT JOIN merkle_trees t ON t.tenant_id = $1 AND t.tree_size > 0
        ORDER BY h.kafka_partition`,
      [tenantId],
    );
    const heads = rows.filter((r) => r.partition !== null).map((r) => ({ partition: r.partition as number, chainSeq: r.chain_seq as string, hash: r.hash as string }));
    const t = rows[0];
    return { heads, ...(t?.tree_size && t.root_hash ? { tree: { size: t.tree_size, rootHash: t.root_hash } } : {}) };
  }

  /**
   * Tenants with a chain head or a Merkle tree size that their latest checkpoint does not cover (after
   * a crash, a restart, another instance's appends or the Merkle backfill), among those whose latest
   * checkpoint is signed by `keyId`: a deployment sweeps its own tenants only, never signs a tenant
   * another signer (another deployment on the same database, a test system) checkpoints, nor a tenant
   * with no checkpoint yet.
   */
  async tenantsAheadOfCheckpoint(keyId: string): Promise<string[]> {
    const rows: { tenant_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT h.tenant_id::text AS tenant_id
         FROM chain_heads h
         JOIN LATERAL (SELECT c.heads, c.key_id, c.tree_size FROM checkpoints c WHERE c.tenant_id = h.tenant_id ORDER BY c.created_at DESC LIMIT 1) latest ON latest.key_id = $1
        WHERE h.chain_seq > 0
          AND (NOT EXISTS (
                 SELECT 1 FROM jsonb_array_elements(latest.heads) e
                  WHERE (e->>'partition')::int = h.kafka_partition AND (e->>'chainSeq')::bigint = h.chain_seq)
               OR EXISTS (SELECT 1 FROM merkle_trees t WHERE t.tenant_id = h.tenant_id AND t.tree_size > COALESCE(latest.tree_size, 0)))`,
      [keyId],
    );
    return rows.map((r) => r.tenant_id);
  }
}

function sameHeads(a: CheckpointHead[], b: CheckpointHead[]): boolean {
  const key = (hs: CheckpointHead[]) => [...hs].sort((x, y) => x.partition - y.partition).map((h) => `${h.partition}:${h.chainSeq}:${h.hash}`).join(',');
  return key(a) === key(b);
}
