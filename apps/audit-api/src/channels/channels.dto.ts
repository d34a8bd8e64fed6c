import { ESCALATION_EVENT_TYPES, ESCALATION_REASONS, SEVERITIES } from '@agent-ledger/contracts';
import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const WEBHOOK_FORMATS = ['standard', 'slack', 'discord'] as const;
export const MAX_RECIPIENTS = 50;
export const MAX_WEBHOOKS = 20;

const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { errorMap: () => ({ message: `${what} must be one of ${values.join(', ')}` }) });

const unique = (items: string[], ctx: z.RefinementCtx, what: string, key: (s: string) => string = (s) => s) => {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(key(item))) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i], message: `${what} "${item}" is listed twice` });
    seen.add(key(item));
  });
};

/** Which escalation events a channel receives (all given conditions must hold). */
export const filterSchema = z
  .object({
    reasons: z
      .array(oneOf(ESCALATION_REASONS, 'each reason'), { invalid_type_error: 'reasons must be an array' })
      .min(1, 'reasons must not be empty (leave it out to receive every reason)')
      .superRefine((v, ctx) => unique(v, ctx, 'reason'))
      .optional(),
    minSeverity: oneOf(SEVERITIES, 'minSeverity').optional(),
    events: z
      .array(oneOf(ESCALATION_EVENT_TYPES, 'each event'), { invalid_type_error: 'events must be an array' })
      .min(1, 'events must not be empty (leave it out for the default events)')
      .superRefine((v, ctx) => unique(v, ctx, 'event'))
      .optional(),
  })
  .strict();
export type ChannelFilterDto = z.infer<typeof filterSchema>;

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
    filter: filterSchema.default({}),
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
