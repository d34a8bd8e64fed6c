import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tree size in a query: a positive decimal integer below 2^53 (a tenant's log stays far below). */
const size = (name: string) =>
  z
    .string({ invalid_type_error: `${name} must be given once` })
    .regex(/^[1-9][0-9]{0,15}$/, `${name} must be a positive integer`)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), `${name} is too large`)
    .describe(`${name}: a number of leaves (events) of the tenant's Merkle tree`);

export const inclusionQuerySchema = z
  .object({
    eventId: z.string({ required_error: 'eventId is required', invalid_type_error: 'eventId must be given once' }).regex(UUID, 'eventId must be a UUID').transform((s) => s.toLowerCase()),
    treeSize: size('treeSize').optional(),
  })
  .strict();

export const consistencyQuerySchema = z
  .object({ from: size('from'), to: size('to').optional() })
  .strict()
  .refine((q) => q.to === undefined || q.from <= q.to, { message: 'from must not be greater than to', path: ['from'] });

export type InclusionQuery = z.infer<typeof inclusionQuerySchema>;
export type ConsistencyQuery = z.infer<typeof consistencyQuerySchema>;
