import { z } from 'zod';
import { MAX_REPLAY } from './dead-letters.dto';
import type { ReplayOutcome, toDeadLetter } from './dead-letters.service';

const instant = z.string().datetime();
const letterId = z.string().regex(/^[1-9]\d{0,17}$/);

/** A dead letter as the API shows it: where it came from and why, never its payload. */
export const deadLetterSchema = z
  .object({
    id: letterId,
    consumerGroup: z.string().min(1),
    sourceTopic: z.string().min(1),
    sourcePartition: z.number().int().min(-1),
    sourceOffset: z.string().regex(/^-?\d+$/).describe('The Kafka offset in decimal (-1: not read from a topic)'),
    eventId: z.string().nullable(),
    eventType: z.string().nullable(),
    errorClass: z.string().min(1),
    reasonCode: z.string().min(1),
    reason: z.string(),
    valueBytes: z.number().int().min(0),
    replayable: z.boolean().describe('False when the payload was too large to keep'),
    deadLetteredAt: instant,
    replayedAt: instant.nullable(),
    replayCount: z.number().int().min(0),
  })
  .strict() satisfies z.ZodType<ReturnType<typeof toDeadLetter>>;

/** A letter naming no known tenant, for the operator: with its message key. */
export const operatorDeadLetterSchema = deadLetterSchema.extend({ messageKey: z.string().nullable() }).strict();

const pageOf = (item: z.ZodTypeAny) => z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as cursor for the next page (null: no more)') }).strict();

export const deadLetterPageSchema = pageOf(deadLetterSchema);
export const operatorDeadLetterPageSchema = pageOf(operatorDeadLetterSchema);

export const replayOutcomeSchema = z
  .object({
    replayed: z.number().int().min(0).max(MAX_REPLAY),
    skipped: z.array(z.object({ id: letterId, reason: z.enum(['not_found', 'value_omitted', 'unknown_source_topic']) }).strict()),
    remaining: z.number().int().min(0).describe('Letters that can be replayed still waiting after this call'),
  })
  .strict() satisfies z.ZodType<ReplayOutcome>;
