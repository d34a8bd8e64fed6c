import { ACTION_EVENT_LIMITS, ESCALATION_EVENT_TYPES, ESCALATION_REASONS, EVENT_TYPES, RISK_LEVELS, SEVERITIES } from '@agent-ledger/contracts';
import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const WEBHOOK_FORMATS = ['standard', 'slack', 'discord'] as const;
export const MAX_RECIPIENTS = 50;
export const MAX_WEBHOOKS = 20;
export const MAX_FILTER_TOOLS = 50;

const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { errorMap: () => ({ message: `${what} must be one of ${values.join(', ')}` }) });

const unique = (items: string[], ctx: z.RefinementCtx, what: string, key: (s: string) => string = (s) => s) => {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(key(item))) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i], message: `${what} "${item}" is listed twice` });
    seen.add(key(item));
  });
};

const escalationConditions = {
  reasons: z
    .array(oneOf(ESCALATION_REASONS, 'each reason'), { invalid_type_error: 'reasons must be an array' })
    .min(1, 'reasons must not be empty (leave it out to receive every reason)')
    .superRefine((v, ctx) => unique(v, ctx, 'reason'))
    .optional(),
  minSeverity: oneOf(SEVERITIES, 'minSeverity').optional(),
};

/** Which escalation events an email channel receives (all given conditions must hold). */
export const filterSchema = z
  .object({
    ...escalationConditions,
    events: z
      .array(oneOf(ESCALATION_EVENT_TYPES, 'each event'), { invalid_type_error: 'events must be an array' })
      .min(1, 'events must not be empty (leave it out for the default events)')
      .superRefine((v, ctx) => unique(v, ctx, 'event'))
      .optional(),
  })
  .strict();
export type ChannelFilterDto = z.infer<typeof filterSchema>;

/** What a webhook may subscribe to: escalation events and every ledger event type of the contract. */
export const WEBHOOK_EVENT_TYPES = [...ESCALATION_EVENT_TYPES, ...EVENT_TYPES] as const;
const isLedgerEventType = (t: string) => (EVENT_TYPES as readonly string[]).includes(t);

/**
 * Which events a webhook receives (all given conditions must hold): escalation events filtered by
 * reason and severity, and ledger events (`action.failed`, …) filtered by the tool's risk level and
 * name. A condition of one kind needs an event type of that kind in `events`, or it could never hold.
 */
export const webhookFilterSchema = z
  .object({
    ...escalationConditions,
    events: z
      .array(oneOf(WEBHOOK_EVENT_TYPES, 'each event'), { invalid_type_error: 'events must be an array' })
      .min(1, 'events must not be empty (leave it out for the default escalation events)')
      .superRefine((v, ctx) => unique(v, ctx, 'event'))
      .optional(),
    riskLevels: z
      .array(oneOf(RISK_LEVELS, 'each risk level'), { invalid_type_error: 'riskLevels must be an array' })
      .min(1, 'riskLevels must not be empty (leave it out to receive every risk level)')
      .superRefine((v, ctx) => unique(v, ctx, 'risk level'))
      .optional(),
    tools: z
      .array(
        z
          .string({ invalid_type_error: 'each tool must be a string' })
          .trim()
          .min(1, 'a tool name must not be empty')
          .max(ACTION_EVENT_LIMITS.nameMaxLength, `a tool name is at most ${ACTION_EVENT_LIMITS.nameMaxLength} characters`),
        { invalid_type_error: 'tools must be an array' },
      )
      .min(1, 'tools must not be empty (leave it out to receive every tool)')
      .max(MAX_FILTER_TOOLS, `at most ${MAX_FILTER_TOOLS} tools`)
      .superRefine((v, ctx) => unique(v, ctx, 'tool'))
      .optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const ledger = f.events?.some(isLedgerEventType) ?? false;
    const escalation = f.events ? f.events.some((t) => !isLedgerEventType(t)) : true;
    for (const key of ['riskLevels', 'tools'] as const) {
      if (f[key] && !ledger) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: `${key} applies to ledger events: name at least one ledger event type (e.g. action.failed) in events` });
    }
    for (const key of ['reasons', 'minSeverity'] as const) {
      if (f[key] && !escalation) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: `${key} applies to escalation events, and events names none` });
    }
  });
export type WebhookFilterDto = z.infer<typeof webhookFilterSchema>;

export const webhookSchema = z
  .object({
    /** An existing endpoint's id keeps that endpoint (and its secret); without an id a new endpoint is created. */
    id: z.string().regex(UUID, 'id must be the UUID of an existing webhook').optional(),
    url: z
      .string({ required_error: 'url is required', invalid_type_error: 'url must be a string' })
      .trim()
      .min(1, 'url is required')
      .max(2_048, 'url must be at most 2048 characters'),
    format: oneOf(WEBHOOK_FORMATS, 'format').default('standard'),
    filter: webhookFilterSchema.default({}),
    /** true re-enables an endpoint the notifier disabled; false disables it; absent keeps its state. */
    enabled: z.boolean({ invalid_type_error: 'enabled must be true or false' }).optional(),
  })
  .strict();
export type WebhookDto = z.infer<typeof webhookSchema>;

export const putChannelsSchema = z
  .object({
    email: z
      .object({
        recipients: z
          .array(z.string({ invalid_type_error: 'each recipient must be a string' }).trim().max(254, 'an address is at most 254 characters').email('must be an email address'), {
            required_error: 'recipients is required',
            invalid_type_error: 'recipients must be an array',
          })
          .max(MAX_RECIPIENTS, `at most ${MAX_RECIPIENTS} recipients`)
          .superRefine((v, ctx) => unique(v, ctx, 'recipient', (s) => s.toLowerCase())),
        filter: filterSchema.default({}),
      })
      .strict()
      .default({ recipients: [] }),
    webhooks: z
      .array(webhookSchema, { invalid_type_error: 'webhooks must be an array' })
      .max(MAX_WEBHOOKS, `at most ${MAX_WEBHOOKS} webhooks`)
      .superRefine((hooks, ctx) =>
        hooks.forEach((h, i) => {
          if (h.id && hooks.findIndex((o) => o.id?.toLowerCase() === h.id?.toLowerCase()) !== i) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'id'], message: `webhook ${h.id} is listed twice` });
        }),
      )
      .default([]),
  })
  .strict();
export type PutChannelsDto = z.infer<typeof putChannelsSchema>;

export const webhookIdParam = z.object({ id: z.string().regex(UUID, 'id must be a UUID') });

export const rotateSecretSchema = z
  .object({
    /** How long the current secret keeps signing next to the new one (default LEDGER_WEBHOOK_SECRET_GRACE_SECONDS). */
    graceSeconds: z.number({ invalid_type_error: 'graceSeconds must be a number' }).int('graceSeconds must be whole seconds').min(0).max(30 * 86_400).optional(),
  })
  .strict()
  .default({});
export type RotateSecretDto = z.infer<typeof rotateSecretSchema>;
