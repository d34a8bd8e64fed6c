import { createHash } from 'node:crypto';
import { ApiError } from '@agent-ledger/runtime';
import { z } from 'zod';
import { instant, limit } from '../queries/query-filters';

/** Letters one replay request republishes at most (`all` replays the oldest first; call again for more). */
export const MAX_REPLAY = 500;

/** A dead letter's id: a positive bigint in decimal. */
const letterId = (name: string) =>
  z
    .string({ invalid_type_error: `${name} must be a string of digits` })
    .regex(/^[1-9]\d{0,17}$/, `${name} must be a dead letter id (digits)`);

export const listDeadLettersSchema = z
  .object({
    from: instant('from').optional(),
    to: instant('to').optional(),
    sourceTopic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'sourceTopic must be a Kafka topic name').optional(),
    reasonCode: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'reasonCode must be a reason code such as schema or unknown_tenant').optional(),
    replayed: z.enum(['true', 'false'], { errorMap: () => ({ message: 'replayed must be true or false' }) }).transform((v) => v === 'true').optional(),
    limit: limit(1_000, 100),
    cursor: z.string().max(500).optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] });
export type DeadLetterQuery = z.infer<typeof listDeadLettersSchema>;
export type DeadLetterFilter = Omit<DeadLetterQuery, 'limit' | 'cursor'>;

export const deadLetterIdParam = z.object({ id: letterId('id') });

export const replaySchema = z
  .object({
    ids: z.array(letterId('ids'), { invalid_type_error: 'ids must be an array of dead letter ids' }).min(1, 'ids must not be empty').max(MAX_REPLAY, `ids must list at most ${MAX_REPLAY} letters`).optional(),
    all: z.literal(true, { errorMap: () => ({ message: 'all must be true (omit it to replay ids)' }) }).optional(),
  })
  .strict()
  .refine((b) => (b.ids ? 1 : 0) + (b.all ? 1 : 0) === 1, { message: 'give either ids or all: true', path: ['ids'] });
export type ReplayRequest = z.infer<typeof replaySchema>;

/**
 * Pagination cursors of dead-letter lists: base64url JSON holding the last id and a fingerprint of
 * the reader, so another tenant's (or the operator's) cursor is refused with 400, field `cursor`.
 */
export function encodeLetterCursor(reader: string, id: string): string {
  return Buffer.from(JSON.stringify({ k: 'dead-letters', t: fingerprint(reader), p: id })).toString('base64url');
}

export function decodeLetterCursor(reader: string, cursor: string): string {
  let parsed: { k?: unknown; t?: unknown; p?: unknown } | null = null;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // refused below
  }
  if (!parsed || parsed.k !== 'dead-letters' || typeof parsed.p !== 'string' || !/^[1-9]\d{0,17}$/.test(parsed.p)) {
    throw ApiError.badRequest('invalid_cursor', 'cursor is not a cursor this list returned', 'cursor');
  }
  if (parsed.t !== fingerprint(reader)) throw ApiError.badRequest('invalid_cursor', 'cursor belongs to another reader', 'cursor');
  return parsed.p;
}

function fingerprint(reader: string): string {
  return createHash('sha256').update(`dead-letters|${reader}`).digest('base64url').slice(0, 12);
}
