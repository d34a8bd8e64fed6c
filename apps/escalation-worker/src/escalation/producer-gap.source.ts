import { Injectable } from '@nestjs/common';
import type { EscalationSettings } from '@agent-ledger/escalation-rules';
import { DataSource } from '@agent-ledger/persistence';
import { deterministicId } from './deterministic-id';
import { LOSS_ACCOUNTING } from './escalation-messages';
import type { Finding, FindingSource, Resolution } from './finding-source';

interface GapRow {
  id: string;
  tenant_id: string;
  producer_id: string;
  first_seq: string;
  last_seq: string;
  opened_at: string;
}

/**
 * The gaps in producers' sequence numbers the projector stored (`producer_gaps`, docs/accountability.md):
 * a gap still open `events_missing.maxGapAgeMs` after it was seen (at once when the tenant turned the
 * rule off) opens an `events_missing` escalation. Its session is `producer:<producerId>`; its trigger is
 * derived from the gap's row, so the same gap never opens twice; a piece split from a handled gap
 * inherits the mark. A gap that closes before it is due opens nothing. When every escalated gap of a
 * producer has closed, its open `events_missing` escalation is resolved ({@link resolutions}).
 */
@Injectable()
export class ProducerGapSource implements FindingSource {
  readonly name = 'producer_gap';

  constructor(private readonly dataSource: DataSource) {}

  async due(limit: number, settingsOf: (tenantId: string) => Promise<EscalationSettings>): Promise<Finding[]> {
    const tenants: { tenant_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT tenant_id::text AS tenant_id FROM producer_gaps WHERE closed_at IS NULL AND escalated_at IS NULL`,
    );
    if (!tenants.length) return [];
    const bounds = await Promise.all(
      tenants.map(async ({ tenant_id }) => {
        const rule = (await settingsOf(tenant_id)).rules.events_missing;
        return rule.enabled ? rule.maxGapAgeMs : 0;
      }),
    );
    const rows: GapRow[] = await this.dataSource.query(
      `SELECT g.id::text AS id, g.tenant_id::text AS tenant_id, g.producer_id, g.first_seq::text AS first_seq, g.last_seq::text AS last_seq,
              to_char(g.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS opened_at
         FROM producer_gaps g JOIN unnest($1::uuid[], $2::bigint[]) AS u (tenant_id, bound_ms) ON g.tenant_id = u.tenant_id
        WHERE g.closed_at IS NULL AND g.escalated_at IS NULL AND g.opened_at <= now() - u.bound_ms * interval '1 millisecond'
        ORDER BY g.opened_at, g.id
        LIMIT $3`,
      [tenants.map((t) => t.tenant_id), bounds, limit],
    );
    return rows.map((r) => {
      const missing = Number(r.last_seq) - Number(r.first_seq) + 1;
      const range = r.first_seq === r.last_seq ? `event ${r.first_seq}` : `events ${r.first_seq}–${r.last_seq}`;
      return {
        key: r.id,
        fire: {
          tenantId: r.tenant_id,
          sessionId: `producer:${r.producer_id}`,
          reason: 'events_missing' as const,
          summary: `Producer ${r.producer_id}: ${range} missing (${missing} event${missing === 1 ? '' : 's'}) since ${r.opened_at}`,
          triggerId: deterministicId('producer_gap', r.tenant_id, r.id),
        },
      };
    });
  }

  /**
   * Producers whose escalated gaps have all closed (their missing events arrived) while some of those
   * gaps are not handled yet: their open `events_missing` escalation is resolved. A producer with a
   * gap that is escalated and still open is left until that one closes too.
   */
  async resolutions(limit: number): Promise<Resolution[]> {
    const rows: { tenant_id: string; producer_id: string; ids: string[]; events: string }[] = await this.dataSource.query(
      `SELECT g.tenant_id::text AS tenant_id, g.producer_id, array_agg(g.id::text ORDER BY g.id) AS ids, sum(g.last_seq - g.first_seq + 1)::text AS events
         FROM producer_gaps g
        WHERE g.escalated_at IS NOT NULL AND g.closed_at IS NOT NULL AND g.resolved_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM producer_gaps o
                           WHERE o.tenant_id = g.tenant_id AND o.producer_id = g.producer_id AND o.closed_at IS NULL AND o.escalated_at IS NOT NULL)
        GROUP BY g.tenant_id, g.producer_id
        ORDER BY min(g.closed_at)
        LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      keys: r.ids,
      tenantId: r.tenant_id,
      sessionId: `producer:${r.producer_id}`,
      reason: 'events_missing' as const,
      resolvedBy: LOSS_ACCOUNTING,
      notes: `Producer ${r.producer_id}: the missing events arrived (${r.events} sequence number${r.events === '1' ? '' : 's'} filled); no escalated gap is open`,
    }));
  }

  async markResolved(resolutions: readonly Resolution[]): Promise<void> {
    const ids = resolutions.flatMap((r) => r.keys);
    if (!ids.length) return;
    await this.dataSource.query(
      `UPDATE producer_gaps g SET resolved_at = now()
         FROM (SELECT id FROM producer_gaps WHERE id = ANY ($1::bigint[]) AND resolved_at IS NULL ORDER BY id FOR UPDATE) h
        WHERE g.id = h.id`,
      [ids],
    );
  }

  async markHandled(findings: readonly Finding[]): Promise<void> {
    if (!findings.length) return;
    // Rows locked in id order, as the projector locks the gaps it shrinks or splits.
    await this.dataSource.query(
      `UPDATE producer_gaps g SET escalated_at = now()
         FROM (SELECT id FROM producer_gaps WHERE id = ANY ($1::bigint[]) AND escalated_at IS NULL ORDER BY id FOR UPDATE) h
        WHERE g.id = h.id`,
      [findings.map((f) => f.key)],
    );
  }
}
