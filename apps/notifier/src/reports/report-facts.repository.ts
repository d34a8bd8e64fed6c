import { Injectable } from '@nestjs/common';
import { DataSource } from '@agent-ledger/persistence';
import type { IntegrityState, ReportFacts } from './report-notice';

/** What a report says besides the statistics: escalations of the period and the last checkpoint's state. */
@Injectable()
export class ReportFactsRepository {
  constructor(private readonly ds: DataSource) {}

  async facts(tenantId: string, from: Date, to: Date): Promise<ReportFacts> {
    const [esc] = await this.ds.query(
      `SELECT count(*) FILTER (WHERE opened_at >= $2 AND opened_at < $3)::int AS opened,
              count(*) FILTER (WHERE resolved_at >= $2 AND resolved_at < $3)::int AS resolved,
              count(*) FILTER (WHERE status <> 'resolved' AND opened_at < $3)::int AS unresolved
         FROM escalations WHERE tenant_id = $1`,
      [tenantId, from, to],
    );
    return { escalations: esc, integrity: await this.integrity(tenantId, to) };
  }

  /**
   * The newest checkpoint up to `to`, and whether the rows at its chain heads still hold the hashes it
   * signed (indexed lookups, one per chain): `failed` on a difference, `unverified` when a head row is
   * gone (purged), `none` without a checkpoint. The full verification is `GET /v1/verify`.
   */
  private async integrity(tenantId: string, to: Date): Promise<ReportFacts['integrity']> {
    const [cp] = await this.ds.query(`SELECT id::text AS id, created_at AS "createdAt", heads FROM checkpoints WHERE tenant_id = $1 AND created_at < $2 ORDER BY created_at DESC LIMIT 1`, [
      tenantId,
      to,
    ]);
    if (!cp) return { state: 'none', checkpoint: null };
    const heads = cp.heads as { partition: number; chainSeq: string; hash: string }[];
    const [cmp] = await this.ds.query(
      `SELECT count(e.hash) FILTER (WHERE encode(e.hash, 'hex') = h.hash)::int AS matching, count(e.hash) FILTER (WHERE encode(e.hash, 'hex') <> h.hash)::int AS differing,
              count(*) FILTER (WHERE e.hash IS NULL)::int AS missing
         FROM jsonb_to_recordset($2::jsonb) AS h(partition int, "chainSeq" text, hash text)
         LEFT JOIN audit_events e ON e.tenant_id = $1 AND e.kafka_partition = h.partition AND e.chain_seq = h."chainSeq"::bigint`,
      [tenantId, JSON.stringify(heads)],
    );
    const state: IntegrityState = cmp.differing > 0 ? 'failed' : cmp.missing > 0 ? 'unverified' : 'ok';
    return { state, checkpoint: { id: cp.id, createdAt: new Date(cp.createdAt).toISOString(), chains: heads.length } };
  }
}
