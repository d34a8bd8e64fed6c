import { formatNumber } from '../shared/format';

/** A gap in a producer's sequence numbers as GET /v1/integrity/loss lists it. */
export interface ProducerGap {
  id: string;
  producerId: string;
  firstSeq: number;
  lastSeq: number;
  missingEvents: number;
  openedAt: string;
  escalatedAt: string | null;
}

export interface OpenLoss {
  openGaps: number;
  missingEvents: number;
  gaps: ProducerGap[];
  more: boolean;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The open loss from the endpoint's answer; gaps that lack a field are left out rather than shown wrong. */
export function openLossOf(body: unknown): OpenLoss {
  const b = (body ?? {}) as { totals?: Record<string, unknown>; gaps?: unknown; nextCursor?: unknown };
  const gaps: ProducerGap[] = [];
  for (const raw of Array.isArray(b.gaps) ? (b.gaps as Record<string, unknown>[]) : []) {
    const [id, producerId, openedAt] = [str(raw?.id), str(raw?.producerId), str(raw?.openedAt)];
    const [firstSeq, lastSeq] = [num(raw?.firstSeq), num(raw?.lastSeq)];
    if (!id || !producerId || !openedAt || firstSeq === undefined || lastSeq === undefined || lastSeq < firstSeq) continue;
    gaps.push({ id, producerId, firstSeq, lastSeq, missingEvents: lastSeq - firstSeq + 1, openedAt, escalatedAt: str(raw.escalatedAt) ?? null });
  }
  return {
    openGaps: num(b.totals?.openGaps) ?? gaps.length,
    missingEvents: num(b.totals?.missingEvents) ?? gaps.reduce((n, g) => n + g.missingEvents, 0),
    gaps,
    more: typeof b.nextCursor === 'string' && b.nextCursor !== '',
  };
}

/** `5–7` or `9`. */
export function describeRange(g: Pick<ProducerGap, 'firstSeq' | 'lastSeq'>): string {
  return g.firstSeq === g.lastSeq ? formatNumber(g.firstSeq) : `${formatNumber(g.firstSeq)}–${formatNumber(g.lastSeq)}`;
}
