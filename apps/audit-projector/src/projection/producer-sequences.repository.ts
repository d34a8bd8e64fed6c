import { Injectable } from '@nestjs/common';
import type { AcceptedMessage } from './event-intake';
import {
  groupByProducer,
  planSequences,
  producerKey,
  producersWithLateNumbers,
  type OpenGap,
  type ProducerBatch,
  type ProducerState,
  type SequencePlan,
} from './producer-sequences';
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
 * (duplicates were dropped before: an event id stored earlier never counts twice). The producers'
 * rows are locked first, in key order (batches of other partitions carry the same producers), so
 * each batch reads the state the previous one committed. Two round trips when every number is above
 * its producer's highest (the common, in-order case), three when late numbers may fill a gap.
 */
@Injectable()
export class ProducerSequencesRepository {
  async record(tx: Tx, events: readonly AcceptedMessage[]): Promise<SequenceOutcome> {
    const batches = groupByProducer(events.map((a) => a.event));
    if (!batches.length) return { producers: 0, gapsOpened: 0, gapsClosed: 0 };
    const states = await lockProducers(tx, batches);
    const late = producersWithLateNumbers(batches, states);
    const gaps = late.length ? await lockOpenGaps(tx, late) : [];
    const plan = planSequences(batches, states, gaps);
    await write(tx, plan);
    return {
      producers: batches.length,
      gapsOpened: plan.gapInserts.filter((g) => g.openedAt === null).length,
      gapsClosed: plan.gapUpdates.filter((g) => g.closed).length,
    };
  }
}

/** Creates the rows of new producers (`events` 0 until the write) and locks every row; returns the stored highest numbers. */
async function lockProducers(tx: Tx, batches: readonly ProducerBatch[]): Promise<Map<string, ProducerState>> {
  const rows = await tx.rows<{ tenant_id: string; producer_id: string; max_seq: string; events: string }>(
    `INSERT INTO producer_sequences AS ps (tenant_id, producer_id, max_seq, events, first_seen_at, last_seen_at)
     SELECT t, p, s, 0, now(), now() FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS u (t, p, s)
     ON CONFLICT (tenant_id, producer_id) DO UPDATE SET last_seen_at = ps.last_seen_at
     RETURNING tenant_id::text AS tenant_id, producer_id, max_seq::text AS max_seq, events::text AS events`,
    [batches.map((b) => b.tenantId), batches.map((b) => b.producerId), batches.map((b) => b.seqs[0])],
  );
  const states = new Map<string, ProducerState>();
  for (const r of rows) {
    // A row with no events yet was created just now: nothing was seen before.
    states.set(producerKey(r.tenant_id, r.producer_id), { tenantId: r.tenant_id, producerId: r.producer_id, maxSeq: r.events === '0' ? 0 : Number(r.max_seq) });
  }
  return states;
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

/** The plan in one statement: the producers' rows, the gaps that shrink or close, the gaps inserted. */
async function write(tx: Tx, plan: SequencePlan): Promise<void> {
  const { sequences: s, gapUpdates: u, gapInserts: i } = plan;
  await tx.rows(
    `WITH seqs AS (
       UPDATE producer_sequences ps SET max_seq = u.max_seq, events = ps.events + u.events, last_seen_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[]) AS u (tenant_id, producer_id, max_seq, events)
        WHERE ps.tenant_id = u.tenant_id AND ps.producer_id = u.producer_id
        RETURNING 1
     ), shrunk AS (
       UPDATE producer_gaps g SET first_seq = u.first_seq, last_seq = u.last_seq, closed_at = CASE WHEN u.closed THEN now() END
         FROM unnest($5::bigint[], $6::bigint[], $7::bigint[], $8::bool[]) AS u (id, first_seq, last_seq, closed)
        WHERE g.id = u.id
        RETURNING 1
     ), opened AS (
       INSERT INTO producer_gaps (tenant_id, producer_id, first_seq, last_seq, opened_at, escalated_at)
       SELECT t, p, f, l, coalesce(o, now()), e
         FROM unnest($9::uuid[], $10::text[], $11::bigint[], $12::bigint[], $13::timestamptz[], $14::timestamptz[]) AS u (t, p, f, l, o, e)
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM seqs) AS seqs, (SELECT count(*) FROM shrunk) AS shrunk, (SELECT count(*) FROM opened) AS opened`,
    [
      s.map((x) => x.tenantId),
      s.map((x) => x.producerId),
      s.map((x) => x.maxSeq),
      s.map((x) => x.events),
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
