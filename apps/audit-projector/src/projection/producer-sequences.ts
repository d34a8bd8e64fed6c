import type { ProducerStamp } from '@agent-ledger/contracts';
import { cmp } from './projection.repository';

/**
 * Loss accounting (docs/accountability.md): what a batch's new stamped events change in their
 * producers' sequences. Pure: the repository (producer-sequences.repository.ts) reads the state under
 * row locks and writes the plan.
 */

/** A producer's new events of the batch: their sequence numbers, sorted and distinct, and how many events. */
export interface ProducerBatch {
  tenantId: string;
  producerId: string;
  seqs: number[];
  events: number;
}

/** A producer's stored state; `maxSeq` 0 for a producer seen for the first time. */
export interface ProducerState {
  tenantId: string;
  producerId: string;
  maxSeq: number;
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

export interface SequencePlan {
  /** Per producer: the new highest number and how many events to add. */
  sequences: { tenantId: string; producerId: string; maxSeq: number; events: number }[];
  /** Open gaps that shrink (late numbers at an edge or inside; then the first remaining piece) or close. */
  gapUpdates: { id: string; firstSeq: number; lastSeq: number; closed: boolean }[];
  /**
   * Gaps to insert: new ones (numbers skipped above the highest; `openedAt` null: now) and the
   * further pieces of a split gap (its `openedAt` and `escalatedAt` kept).
   */
  gapInserts: { tenantId: string; producerId: string; firstSeq: number; lastSeq: number; openedAt: string | null; escalatedAt: string | null }[];
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

/** The producers whose batch holds a number at or below their stored highest: only they may fill a gap. */
export function producersWithLateNumbers(batches: readonly ProducerBatch[], states: ReadonlyMap<string, ProducerState>): ProducerBatch[] {
  return batches.filter((b) => b.seqs[0] <= (states.get(producerKey(b.tenantId, b.producerId))?.maxSeq ?? 0));
}

/**
 * The plan of a batch: numbers above a producer's highest open a gap for each run they skip (from
 * `maxSeq + 1`); numbers inside an open gap shrink it, split it, or close it when none is left;
 * other numbers at or below the highest (sent again under another event id) change no gap.
 */
export function planSequences(batches: readonly ProducerBatch[], states: ReadonlyMap<string, ProducerState>, openGaps: readonly OpenGap[]): SequencePlan {
  const plan: SequencePlan = { sequences: [], gapUpdates: [], gapInserts: [] };
  const gapsOf = new Map<string, OpenGap[]>();
  for (const g of openGaps) {
    const key = producerKey(g.tenantId, g.producerId);
    gapsOf.set(key, [...(gapsOf.get(key) ?? []), g]);
  }
  for (const b of batches) {
    const key = producerKey(b.tenantId, b.producerId);
    const maxSeq = states.get(key)?.maxSeq ?? 0;
    let prev = maxSeq;
    for (const seq of b.seqs) {
      if (seq <= maxSeq) continue;
      if (seq > prev + 1) plan.gapInserts.push({ tenantId: b.tenantId, producerId: b.producerId, firstSeq: prev + 1, lastSeq: seq - 1, openedAt: null, escalatedAt: null });
      prev = seq;
    }
    plan.sequences.push({ tenantId: b.tenantId, producerId: b.producerId, maxSeq: Math.max(maxSeq, prev), events: b.events });

    for (const gap of gapsOf.get(key) ?? []) {
      const inside = b.seqs.filter((s) => s >= gap.firstSeq && s <= gap.lastSeq);
      if (!inside.length) continue;
      const pieces = remainingPieces(gap.firstSeq, gap.lastSeq, inside);
      if (!pieces.length) {
        plan.gapUpdates.push({ id: gap.id, firstSeq: gap.firstSeq, lastSeq: gap.lastSeq, closed: true });
        continue;
      }
      const [first, ...rest] = pieces;
      plan.gapUpdates.push({ id: gap.id, firstSeq: first[0], lastSeq: first[1], closed: false });
      for (const [f, l] of rest) {
        plan.gapInserts.push({ tenantId: gap.tenantId, producerId: gap.producerId, firstSeq: f, lastSeq: l, openedAt: gap.openedAt, escalatedAt: gap.escalatedAt });
      }
    }
  }
  return plan;
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
