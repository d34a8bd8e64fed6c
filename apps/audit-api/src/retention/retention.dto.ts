import { z } from 'zod';
import { checkRetentionDuration, MAX_RETAIN_FOR, MIN_RETAIN_FOR } from '@agent-ledger/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const retainFor = z
  .string({ invalid_type_error: 'retainFor must be a string (an ISO 8601 duration such as P90D)' })
  .superRefine((v, ctx) => {
    const checked = checkRetentionDuration(v);
    if (!checked.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: checked.message });
  })
  .describe(`How long events are kept: an ISO 8601 duration of whole numbers, ${MIN_RETAIN_FOR} to ${MAX_RETAIN_FOR} (default P90D)`);

/** PUT /v1/retention: the fields to change; the others keep their value (or the default). */
export const putRetentionSchema = z
  .object({
    retainFor: retainFor.optional(),
    archive: z.boolean({ invalid_type_error: 'archive must be true or false' }).describe('Archive events before they are purged (default true)').optional(),
    legalHold: z.boolean({ invalid_type_error: 'legalHold must be true or false' }).describe('While true, nothing is purged (default false)').optional(),
  })
  .strict()
  .refine((b) => b.retainFor !== undefined || b.archive !== undefined || b.legalHold !== undefined, { message: 'give at least one of retainFor, archive, legalHold' });
export type PutRetentionDto = z.infer<typeof putRetentionSchema>;

export const runIdParam = z.object({ runId: z.string().regex(UUID, 'runId must be a UUID') });

/** POST /v1/retention/runs takes no fields (an empty object or no body). */
export const startRunSchema = z.object({}).strict();
