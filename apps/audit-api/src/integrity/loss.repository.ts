import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '@agent-ledger/persistence';
import { decodeLossCursor, encodeLossCursor, type LossQuery } from './loss.dto';
import type { LossPage, LossTotals, ProducerGapView } from './loss.responses';

interface GapRow {
  id: string;
  producer_id: string;
  first_seq: string;
  last_seq: string;
  opened_at: string;
  closed_at: string | null;
  escalated_at: string | null;
}

const utc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The tenant's loss accounting (`producer_sequences`, `producer_gaps`, written by the projector),
 * read through its row-level-security scope in one snapshot: the totals and the page agree.
 */
@Injectable()
export class LossRepository {
  constructor(private readonly db: TenantDatabase) {}

  async page(tenantId: string, q: LossQuery): Promise<LossPage> {
    const after = q.cursor ? decodeLossCursor(tenantId, q.cursor) : undefined;
    return this.db.snapshot(tenantId, async (m) => {
      const producer = q.producerId === undefined ? '' : 'AND producer_id = $2';
      const base = q.producerId === undefined ? [tenantId] : [tenantId, q.producerId];
      const [t] = (await m.query(
        `SELECT (SELECT count(*) FROM producer_sequences WHERE tenant_id = $1 ${producer})::int AS producers,
                (SELECT coalesce(sum(events), 0) FROM producer_sequences WHERE tenant_id = $1 ${producer})::text AS accounted,
                g.open_gaps, g.missing, g.closed_gaps
           FROM (SELECT count(*) FILTER (WHERE closed_at IS NULL)::int AS open_gaps,
                        coalesce(sum(last_seq - first_seq + 1) FILTER (WHERE closed_at IS NULL), 0)::text AS missing,
                        count(*) FILTER (WHERE closed_at IS NOT NULL)::int AS closed_gaps
                   FROM producer_gaps WHERE tenant_id = $1 ${producer}) g`,
        base,
      )) as { producers: number; accounted: string; open_gaps: number; missing: string; closed_gaps: number }[];
      const totals: LossTotals = { producers: t.producers, accountedEvents: Number(t.accounted), openGaps: t.open_gaps, missingEvents: Number(t.missing), closedGaps: t.closed_gaps };

      const params: unknown[] = [...base];
      const where = [`tenant_id = $1`];
      if (q.producerId !== undefined) where.push('producer_id = $2');
      if (q.state === 'open') where.push('closed_at IS NULL');
      if (q.state === 'closed') where.push('closed_at IS NOT NULL');
      if (after) {
        params.push(after.openedAt, after.id);
        where.push(`(opened_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
      }
      params.push(q.limit + 1);
      const rows = (await m.query(
        `SELECT id::text AS id, producer_id, first_seq::text AS first_seq, last_seq::text AS last_seq,
                ${utc('opened_at')} AS opened_at, ${utc('closed_at')} AS closed_at, ${utc('escalated_at')} AS escalated_at
           FROM producer_gaps WHERE ${where.join(' AND ')} ORDER BY opened_at DESC, id DESC LIMIT $${params.length}`,
        params,
      )) as GapRow[];
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        totals,
        gaps: page.map(toView),
        nextCursor: rows.length > q.limit && last ? encodeLossCursor(tenantId, last.opened_at, last.id) : null,
      };
    });
  }
}

function toView(r: GapRow): ProducerGapView {
  const firstSeq = Number(r.first_seq);
  const lastSeq = Number(r.last_seq);
  return {
    id: r.id,
    producerId: r.producer_id,
    firstSeq,
    lastSeq,
    missingEvents: lastSeq - firstSeq + 1,
    state: r.closed_at === null ? 'open' : 'closed',
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    escalatedAt: r.escalated_at,
  };
}
