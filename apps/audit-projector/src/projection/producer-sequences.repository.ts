import { Injectable } from '@nestjs/common';
import type { AcceptedMessage } from './event-intake';
import { groupByProducer, planGapFills, producerKey, producersWithLateNumbers, type GapFills, type OpenGap, type ProducerBatch } from './producer-sequences';
import type { ProjectionTransaction } from './projection.repository';

/** What a batch changed in the loss accounting. */
export interface SequenceOutcome {
  producers: number;
  gapsOpened: number;
  gapsClosed: number;
}

type Tx = Pick<ProjectionTransaction, 'rows'>;

/**
 * Keeps `producer_sequences` and `producer_gaps` in the batch's transaction, from its new events
 * (duplicates were dropped before: an event id stored earlier never counts twice). One statement
 * upserts the producers' rows in key order — each waits for a concurrent batch of another partition
 * holding the same producer, then works from what it committed — counting the events, and opens the
 * gaps skipped above each producer's previous highest: one round trip per batch. Only when late
 * numbers arrive (at or below a previous highest) are the open gaps locked and read, and shrunk,
 * split or closed: two more.
 */
@Injectable()
export class ProducerSequencesRepository {
  async record(tx: Tx, events: readonly AcceptedMessage[]): Promise<SequenceOutcome> {
    const batches = groupByProducer(events.map((a) => a.event));
    if (!batches.length) return { producers: 0, gapsOpened: 0, gapsClosed: 0 };
    const { previousMax, gapsOpened } = await countAndOpen(tx, batches);
    const late = producersWithLateNumbers(batches, previousMax);
    if (!late.length) return { producers: batches.length, gapsOpened, gapsClosed: 0 };
    const fills = planGapFills(late, await lockOpenGaps(tx, late));
    await writeFills(tx, fills);
    return { producers: batches.length, gapsOpened, gapsClosed: fills.updates.filter((u) => u.closed).length };
  }
}

/**
 * Upserts each producer's row (highest number, events; `prev_max_seq` the highest before this batch,
 * 0 for a new producer) and inserts a gap for each run of numbers skipped above that previous highest.
 */
async function countAndOpen(tx: Tx, batches: readonly ProducerBatch[]): Promise<{ previousMax: Map<string, number>; gapsOpened: number }> {
  // The batch's numbers as runs of consecutive numbers: an in-order batch is one run per producer.
  const flat = batches.flatMap((b) => runsOf(b.seqs).map(([first, last]) => [b.tenantId, b.producerId, first, last] as const));
  const rows = await tx.rows<{ tenant_id: string; producer_id: string; prev_max_seq: string; opened: number }>(
    `WITH up AS (
       INSERT INTO producer_sequences AS ps (tenant_id, producer_id, max_seq, events, first_seen_at, last_seen_at, prev_max_seq)
       SELECT t, p, hi, n, now(), now(), 0 FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[]) AS u (t, p, hi, n)
       ON CONFLICT (tenant_id, producer_id) DO UPDATE
          SET prev_max_seq = ps.max_seq, max_seq = greatest(ps.max_seq, excluded.max_seq), events = ps.events + excluded.events, last_seen_at = now()
       RETURNING tenant_id, producer_id, prev_max_seq
     ), fresh AS (
       SELECT r.t, r.p, r.f, coalesce(lag(r.l) OVER (PARTITION BY r.t, r.p ORDER BY r.f), up.prev_max_seq) AS prev
         FROM unnest($5::uuid[], $6::text[], $7::bigint[], $8::bigint[]) AS r (t, p, f, l)
         JOIN up ON up.tenant_id = r.t AND up.producer_id = r.p
        WHERE r.l > up.prev_max_seq
     ), opened AS (
       INSERT INTO producer_gaps (tenant_id, producer_id, first_seq, last_seq, opened_at)
       SELECT t, p, prev + 1, f - 1, now() FROM fresh WHERE f > prev + 1
       RETURNING 1
     )
     SELECT up.tenant_id::text AS tenant_id, up.producer_id, up.prev_max_seq::text AS prev_max_seq, (SELECT count(*) FROM opened)::int AS opened FROM up`,
    [
      batches.map((b) => b.tenantId),
      batches.map((b) => b.producerId),
      batches.map((b) => b.seqs[b.seqs.length - 1]),
      batches.map((b) => b.events),
      flat.map((f) => f[0]),
      flat.map((f) => f[1]),
      flat.map((f) => f[2]),
      flat.map((f) => f[3]),
    ],
  );
  return { previousMax: new Map(rows.map((r) => [producerKey(r.tenant_id, r.producer_id), Number(r.prev_max_seq)])), gapsOpened: rows[0]?.opened ?? 0 };
}

/** Sorted distinct numbers as [first, last] runs of consecutive numbers. */
function runsOf(seqs: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const s of seqs) {
    const last = runs[runs.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else runs.push([s, s]);
  }
  return runs;
}

/** The open gaps of these producers, locked (the escalation worker marks them handled concurrently). */
async function lockOpenGaps(tx: Tx, batches: readonly ProducerBatch[]): Promise<OpenGap[]> {
  const rows = await tx.rows<{ id: string; tenant_id: string; producer_id: string; first_seq: string; last_seq: string; opened_at: string; escalated_at: string | null }>(
    `SELECT g.id::text AS id, g.tenant_id::text AS tenant_id, g.producer_id, g.first_seq::text AS first_seq, g.last_seq::text AS last_seq,
            g.opened_at::text AS opened_at, g.escalated_at::text AS escalated_at
       FROM producer_gaps g JOIN unnest($1::uuid[], $2::text[]) AS u (t, p) ON g.tenant_id = u.t AND g.producer_id = u.p
      WHERE g.closed_at IS NULL
      ORDER BY g.id
        FOR UPDATE OF g`,
    [batches.map((b) => b.tenantId), batches.map((b) => b.producerId)],
  );
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    producerId: r.producer_id,
    firstSeq: Number(r.first_seq),
    lastSeq: Number(r.last_seq),
    openedAt: r.opened_at,
    escalatedAt: r.escalated_at,
  }));
}

/** The gaps that shrink or close, and the pieces split off, in one statement. */
async function writeFills(tx: Tx, { updates: u, pieces: i }: GapFills): Promise<void> {
  if (!u.length) return;
  await tx.rows(
    `WITH shrunk AS (
       UPDATE producer_gaps g SET first_seq = u.first_seq, last_seq = u.last_seq, closed_at = CASE WHEN u.closed THEN now() END
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bool[]) AS u (id, first_seq, last_seq, closed)
        WHERE g.id = u.id
        RETURNING 1
     ), split AS (
       INSERT INTO producer_gaps (tenant_id, producer_id, first_seq, last_seq, opened_at, escalated_at)
       SELECT * FROM unnest($5::uuid[], $6::text[], $7::bigint[], $8::bigint[], $9::timestamptz[], $10::timestamptz[])
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM shrunk) AS shrunk, (SELECT count(*) FROM split) AS split`,
    [
      u.map((x) => x.id),
      u.map((x) => x.firstSeq),
      u.map((x) => x.lastSeq),
      u.map((x) => x.closed),
      i.map((x) => x.tenantId),
      i.map((x) => x.producerId),
      i.map((x) => x.firstSeq),
      i.map((x) => x.lastSeq),
      i.map((x) => x.openedAt),
      i.map((x) => x.escalatedAt),
    ],
  );
}
