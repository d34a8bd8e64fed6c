import { z } from 'zod';
import { DELIVERY_CHANNELS, DELIVERY_STATUSES } from './deliveries.dto';
import type { DeliveryView } from './deliveries.service';

const instant = z.string().datetime();

/** What an attempt came to (delivery_attempts.outcome). */
const ATTEMPT_OUTCOMES = ['delivered', 'retry', 'failed'] as const;

export const deliveryViewSchema = z
  .object({
    id: z.string().uuid(),
    escalationId: z.string().uuid().nullable().describe('The escalation announced (null: a ledger event or a report)'),
    eventId: z.string().nullable().describe('The ledger event announced (null: an escalation)'),
    eventType: z.string().min(1),
    channel: z.enum(DELIVERY_CHANNELS),
    target: z.string().min(1).describe("The recipient's address or the endpoint's URL"),
    endpointId: z.string().uuid().nullable(),
    messageId: z.string().min(1).describe('webhook-id of a webhook, Message-ID of an email: the same on every attempt and replay'),
    status: z.enum(DELIVERY_STATUSES),
    attemptCount: z.number().int().min(0),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    manualRetries: z.number().int().min(0),
    nextAttemptAt: instant.nullable(),
    deliveredAt: instant.nullable(),
    createdAt: instant,
    updatedAt: instant,
    attempts: z.array(
      z
        .object({
          attempt: z.number().int().min(1),
          startedAt: instant,
          durationMs: z.number().int().min(0),
          statusCode: z.number().int().nullable(),
          outcome: z.enum(ATTEMPT_OUTCOMES),
          error: z.string().nullable(),
        })
        .strict(),
    ),
  })
  .strict() satisfies z.ZodType<DeliveryView>;

export const deliveryPageSchema = z
  .object({
    deliveries: z.array(deliveryViewSchema),
    nextCursor: z.string().nullable().describe('Pass as cursor for the next page (null: no more)'),
  })
  .strict();
