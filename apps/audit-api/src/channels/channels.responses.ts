import { z } from 'zod';
import { filterSchema, WEBHOOK_FORMATS, webhookFilterSchema } from './channels.dto';
import type { ChannelsView, WebhookView } from './channels.service';

const instant = z.string().datetime();

/** A webhook endpoint as the API shows it: the secret only in the answer that created or rotated it. */
export const webhookViewSchema = z
  .object({
    id: z.string().uuid(),
    url: z.string().min(1),
    format: z.enum(WEBHOOK_FORMATS),
    filter: webhookFilterSchema,
    enabled: z.boolean(),
    disabledReason: z.string().nullable().describe('Why the notifier (or a PUT with enabled: false) disabled the endpoint'),
    disabledAt: instant.nullable(),
    failingSince: instant.nullable(),
    secretVersion: z.number().int().min(1),
    previousSecretExpiresAt: instant.nullable().describe('Until when the previous secret still signs next to the current one (after a rotation)'),
    createdAt: instant,
    updatedAt: instant,
    secret: z
      .string()
      .regex(/^whsec_/)
      .optional()
      .describe('The signing secret (whsec_…): only in the answer that created the endpoint or rotated its secret'),
  })
  .strict() satisfies z.ZodType<WebhookView>;

/** GET and PUT /v1/channels. */
export const channelsViewSchema = z
  .object({
    email: z.object({ recipients: z.array(z.string().email()), filter: filterSchema }).strict(),
    webhooks: z.array(webhookViewSchema),
  })
  .strict() satisfies z.ZodType<ChannelsView>;
