import type { RetentionArchiveView, RetentionOutcome, RetentionPurgeState, RetentionRunResult, RetentionRunState, RetentionRunView, RetentionView } from '@agent-ledger/contracts';
import { z } from 'zod';

const instant = z.string().datetime();

const PURGE_STATES = ['planned', 'archived', 'recorded', 'purged'] as const satisfies readonly RetentionPurgeState[];
const RUN_STATES = ['queued', 'running', 'completed', 'failed'] as const satisfies readonly RetentionRunState[];
const OUTCOMES = ['purged', 'nothing_to_purge', 'legal_hold', 'busy'] as const satisfies readonly RetentionOutcome[];

const archiveSchema = z
  .object({ location: z.string(), object: z.string(), manifest: z.string(), sha256: z.string(), bytes: z.number().int().min(0) })
  .strict() satisfies z.ZodType<RetentionArchiveView>;

/** GET and PUT /v1/retention: the policy (or the default), the horizon and the newest purges. */
export const retentionViewSchema = z
  .object({
    policy: z
      .object({
        retainFor: z.string().min(1).describe('ISO 8601 duration'),
        archive: z.boolean(),
        legalHold: z.boolean(),
        updatedAt: instant.nullable(),
        default: z.boolean().describe('True while the tenant never set a policy (the values are the defaults)'),
      })
      .strict(),
    horizon: instant.nullable().describe('The end of the newest purged period: queries with from before it answer 409 (null: never purged)'),
    purges: z
      .array(
        z
          .object({
            purgeId: z.string().uuid(),
            ordinal: z.number().int().min(1),
            state: z.enum(PURGE_STATES),
            events: z.number().int().min(0),
            horizon: instant,
            recordedFrom: instant.nullable(),
            recordedTo: instant.nullable(),
            createdAt: instant,
            purgedAt: instant.nullable(),
            archive: archiveSchema.nullable(),
          })
          .strict(),
      )
      .max(20)
      .describe('The newest purges first'),
  })
  .strict() satisfies z.ZodType<RetentionView>;

/** What a completed run did (the retention worker's result). */
const runResultSchema = z
  .object({
    tenantId: z.string().uuid(),
    outcome: z.enum(OUTCOMES),
    purgeId: z.string().uuid().optional(),
    ordinal: z.number().int().optional(),
    events: z.number().int().min(0).optional(),
    archive: archiveSchema.extend({ manifestSha256: z.string().optional() }).strict().nullable().optional(),
    deleted: z.object({ events: z.number().int(), actions: z.number().int(), escalations: z.number().int(), deliveries: z.number().int() }).strict().optional(),
  })
  .strict() satisfies z.ZodType<RetentionRunResult>;

/** POST /v1/retention/runs (state queued) and GET /v1/retention/runs/:runId. */
export const retentionRunSchema = z
  .object({
    runId: z.string().uuid(),
    state: z.enum(RUN_STATES),
    result: runResultSchema.optional().describe('Once completed'),
    error: z.string().optional().describe('Once failed'),
  })
  .strict() satisfies z.ZodType<RetentionRunView>;
