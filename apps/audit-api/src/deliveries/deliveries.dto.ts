import { createHash } from 'node:crypto';
import { ApiError, instantParam, parseInstant } from '@agent-ledger/runtime';
import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DELIVERY_CHANNELS = ['email', 'webhook'] as const;
export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;

export const listDeliveriesSchema = z
  .object({
    escalationId: z.string().regex(UUID, 'escalationId must be a UUID').optional(),
    channel: z.enum(DELIVERY_CHANNELS, { errorMap: () => ({ message: `channel must be one of ${DELIVERY_CHANNELS.join(', ')}` }) }).optional(),
    status: z.enum(DELIVERY_STATUSES, { errorMap: () => ({ message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` }) }).optional(),
    /** Deliveries created at or after. */
    from: instantParam('from').optional(),
    /** Deliveries created before. */
    to: instantParam('to').optional(),
    limit: z.coerce.number({ invalid_type_error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be 1-200').max(200, 'limit must be 1-200').default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] });
export type ListDeliveriesDto = z.infer<typeof listDeliveriesSchema>;

export const deliveryIdParam = z.object({ id: z.string().regex(UUID, 'id must be a UUID') });

/** A delivery's position: created_at in UTC with microseconds, as the repository writes it. */
const DELIVERY_POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** Opaque cursor: base64url of the last row's position and a fingerprint of the tenant. */
export function encodeCursor(tenantId: string, createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify({ t: fingerprint(tenantId), c: createdAt, i: id })).toString('base64url');
}

export function decodeCursor(tenantId: string, cursor: string): { createdAt: string; id: string } {
  let parsed: { t?: unknown; c?: unknown; i?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw ApiError.badRequest('invalid_cursor', 'cursor is not a cursor this API returned', 'cursor');
  }
  if (typeof parsed?.c !== 'string' || typeof parsed.i !== 'string' || !UUID.test(parsed.i) || !DELIVERY_POSITION.test(parsed.c) || !parseInstant(parsed.c)) {
    throw ApiError.badRequest('invalid_cursor', 'cursor is not a cursor this API returned', 'cursor');
  }
  if (parsed.t !== fingerprint(tenantId)) throw ApiError.badRequest('invalid_cursor', 'cursor belongs to another tenant', 'cursor');
  return { createdAt: parsed.c, id: parsed.i };
}

function fingerprint(tenantId: string): string {
  return createHash('sha256').update(`deliveries-cursor|${tenantId}`).digest('base64url').slice(0, 12);
}
