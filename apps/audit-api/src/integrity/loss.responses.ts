import { z } from 'zod';
import { instantOut } from '../queries/records.responses';

// The answer of GET /v1/integrity/loss (docs/accountability.md, "Loss accounting").

const count = z.number().int().min(0);
const seq = z.number().int().min(1);

export const producerGapSchema = z
  .object({
    id: z.string().regex(/^\d+$/).describe("The gap's id (a piece split from a gap gets its own)"),
    producerId: z.string().min(1),
    firstSeq: seq.describe('The first missing sequence number'),
    lastSeq: seq.describe('The last missing sequence number (inclusive)'),
    missingEvents: count.describe('lastSeq - firstSeq + 1'),
    state: z.enum(['open', 'closed']),
    openedAt: instantOut.describe('When the projector first saw a number above the range'),
    closedAt: instantOut.nullable().describe('When the last missing number arrived (null: still open)'),
    escalatedAt: instantOut.nullable().describe('When the escalation worker handled it (events_missing), if it did'),
  })
  .strict();
export type ProducerGapView = z.infer<typeof producerGapSchema>;

export const lossTotalsSchema = z
  .object({
    producers: count.describe('Producers that sent stamped events (of producerId when given)'),
    accountedEvents: count.describe('Distinct stamped events stored'),
    openGaps: count,
    missingEvents: count.describe('Sequence numbers still missing (the open gaps summed)'),
    closedGaps: count,
  })
  .strict();
export type LossTotals = z.infer<typeof lossTotalsSchema>;

export const lossPageSchema = z
  .object({
    totals: lossTotalsSchema.describe("The tenant's loss accounting (of producerId when given), whatever the state and page"),
    gaps: z.array(producerGapSchema).describe('Newest first (openedAt, id)'),
    nextCursor: z.string().nullable().describe('Pass as cursor for the next page (null: no more)'),
  })
  .strict();
export type LossPage = z.infer<typeof lossPageSchema>;
