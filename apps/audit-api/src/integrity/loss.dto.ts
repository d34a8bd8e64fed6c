import { createHash } from 'node:crypto';
import { ACTION_EVENT_LIMITS } from '@agent-ledger/contracts';
import { ApiError, parseInstant } from '@agent-ledger/runtime';
import { z } from 'zod';

export const GAP_STATES = ['open', 'closed', 'all'] as const;
export type GapState = (typeof GAP_STATES)[number];

/** `GET /v1/integrity/loss`: the tenant's gaps in producers' sequence numbers, newest first. */
export const lossQuerySchema = z
  .object({
    producerId: z
      .string()
      .min(1, 'producerId must not be empty')
      .max(ACTION_EVENT_LIMITS.idMaxLength, `producerId must be at most ${ACTION_EVENT_LIMITS.idMaxLength} characters`)
      .optional()
      .describe("One producer's gaps (the `producer.id` its events carry)"),
    state: z
      .enum(GAP_STATES, { errorMap: () => ({ message: `state must be one of ${GAP_STATES.join(', ')}` }) })
      .default('open')
      .describe('open: still missing (default); closed: every number arrived late; all'),
    limit: z.coerce.number({ invalid_type_error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be 1-200').max(200, 'limit must be 1-200').default(50),
    cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
  })
  .strict();
export type LossQuery = z.infer<typeof lossQuerySchema>;

/** A gap's position: opened_at in UTC with microseconds, as the repository writes it. */
const GAP_POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const GAP_ID = /^[1-9]\d{0,18}$/;

/** Opaque cursor: base64url of the last gap's position and a fingerprint of the tenant. */
export function encodeLossCursor(tenantId: string, openedAt: string, id: string): string {
  return Buffer.from(JSON.stringify({ t: fingerprint(tenantId), o: openedAt, i: id })).toString('base64url');
}

export function decodeLossCursor(tenantId: string, cursor: string): { openedAt: string; id: string } {
  const invalid = () => ApiError.badRequest('invalid_cursor', 'cursor is not a cursor this API returned', 'cursor');
  let parsed: { t?: unknown; o?: unknown; i?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed?.o !== 'string' || typeof parsed.i !== 'string' || !GAP_ID.test(parsed.i) || !GAP_POSITION.test(parsed.o) || !parseInstant(parsed.o)) throw invalid();
  if (parsed.t !== fingerprint(tenantId)) throw ApiError.badRequest('invalid_cursor', 'cursor belongs to another tenant', 'cursor');
  return { openedAt: parsed.o, id: parsed.i };
}

function fingerprint(tenantId: string): string {
  return createHash('sha256').update(`loss-cursor|${tenantId}`).digest('base64url').slice(0, 12);
}
