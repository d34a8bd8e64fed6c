import type { ProducerStamp } from '@agent-ledger/contracts';
import { cmp } from './projection.repository';

/**
 * Loss accounting (docs/accountability.md): what a batch's new stamped events change in their
 * producers' sequences. Pure: the repository (producer-sequences.repository.ts) counts the events and
 * opens the gaps above each producer's highest number in SQL, and applies the late numbers planned here.
 */

/** A producer's new events of the batch: their sequence numbers, sorted and distinct, and how many events. */
export interface ProducerBatch {
  tenantId: string;
  producerId: string;
  seqs: number[];
  events: number;
}

/** An open gap as stored. */
export interface OpenGap {
  id: string;
  tenantId: string;
  producerId: string;
  firstSeq: number;
  lastSeq: number;
  openedAt: string;
  escalatedAt: string | null;
}

/** What late numbers do to the open gaps. */
export interface GapFills {
  /** Gaps that shrink (then the first remaining piece) or close (then their range as it was). */
  updates: { id: string; firstSeq: number; lastSeq: number; closed: boolean }[];
  /** The further pieces of split gaps, each with its gap's `openedAt` and `escalatedAt`. */
  pieces: { tenantId: string; producerId: string; firstSeq: number; lastSeq: number; openedAt: string; escalatedAt: string | null }[];
}

export const producerKey = (tenantId: string, producerId: string): string => `${tenantId}\u0000${producerId}`;

/** Groups the stamped events per (tenant, producer), in key order (the order rows are locked in). Unstamped events are left out. */
export function groupByProducer(events: readonly { tenantId: string; producer?: ProducerStamp }[]): ProducerBatch[] {
  const groups = new Map<string, { tenantId: string; producerId: string; seqs: Set<number>; events: number }>();
  for (const e of events) {
    if (!e.producer) continue;
    const key = producerKey(e.tenantId, e.producer.id);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { tenantId: e.tenantId, producerId: e.producer.id, seqs: new Set(), events: 0 }));
    g.seqs.add(e.producer.seq);
    g.events++;
  }
  return [...groups.values()]
    .map((g) => ({ tenantId: g.tenantId, producerId: g.producerId, seqs: [...g.seqs].sort((a, b) => a - b), events: g.events }))
    .sort((a, b) => cmp(a.tenantId, b.tenantId) || cmp(a.producerId, b.producerId));
}

/** The producers whose batch holds a number at or below their highest before it: only they may fill a gap. */
export function producersWithLateNumbers(batches: readonly ProducerBatch[], previousMax: ReadonlyMap<string, number>): ProducerBatch[] {
  return batches.filter((b) => b.seqs[0] <= (previousMax.get(producerKey(b.tenantId, b.producerId)) ?? 0));
}

/**
 * Numbers inside an open gap shrink it, split it, or close it when none is left; other numbers
 * (above the highest, or at or below it where no gap is: sent again under another event id) change no gap.
 */
export function planGapFills(batches: readonly ProducerBatch[], openGaps: readonly OpenGap[]): GapFills {
  const fills: GapFills = { updates: [], pieces: [] };
  const seqsOf = new Map(batches.map((b) => [producerKey(b.tenantId, b.producerId), b.seqs]));
  for (const gap of openGaps) {
    const inside = (seqsOf.get(producerKey(gap.tenantId, gap.producerId)) ?? []).filter((s) => s >= gap.firstSeq && s <= gap.lastSeq);
    if (!inside.length) continue;
    const [first, ...rest] = remainingPieces(gap.firstSeq, gap.lastSeq, inside);
    if (!first) {
      fills.updates.push({ id: gap.id, firstSeq: gap.firstSeq, lastSeq: gap.lastSeq, closed: true });
      continue;
    }
    fills.updates.push({ id: gap.id, firstSeq: first[0], lastSeq: first[1], closed: false });
    for (const [f, l] of rest) fills.pieces.push({ tenantId: gap.tenantId, producerId: gap.producerId, firstSeq: f, lastSeq: l, openedAt: gap.openedAt, escalatedAt: gap.escalatedAt });
  }
  return fills;
}

/** [first, last] without the sorted numbers `arrived` (all inside it): the ranges still missing. */
function remainingPieces(first: number, last: number, arrived: readonly number[]): [number, number][] {
  const pieces: [number, number][] = [];
  let from = first;
  for (const s of arrived) {
    if (s > from) pieces.push([from, s - 1]);
    from = s + 1;
  }
  if (from <= last) pieces.push([from, last]);
  return pieces;
}
