import { EVENT_TYPES } from '@agent-ledger/contracts';
import { z } from 'zod';
import type { ErasureResult } from './privacy.service';

const instant = z.string().datetime();

/** POST /v1/subjects/:subjectId/erase. */
export const erasureResultSchema = z
  .object({
    subjectId: z.string().min(1),
    erasedAt: instant.describe('When the subject was first erased'),
    keysErased: z.number().int().min(0).describe('Keys shredded by this request (0 when the subject was already erased)'),
    eventsAffected: z.number().int().min(0).describe('Stored events naming the subject: their PII now reads as erased; the chains still verify'),
  })
  .strict() satisfies z.ZodType<ErasureResult>;

/** The status of one of the subject's keys (never the key). */
const subjectKeySchema = z
  .object({
    keyId: z.string().uuid(),
    for: z.enum(['subject.pii', 'actor.ip']),
    createdAt: instant,
    erasedAt: instant.nullable(),
  })
  .strict();

/** A stored event naming the subject, as the ledger holds it (PII opened with scope pii where not erased, else redacted). */
const storedEventSchema = z.object({ eventId: z.string().uuid(), tenantId: z.string().uuid(), type: z.enum(EVENT_TYPES) }).passthrough();

/** GET /v1/subjects/:subjectId/export: one JSON document, streamed. */
export const subjectExportSchema = z
  .object({
    subjectId: z.string().min(1),
    keys: z.array(subjectKeySchema),
    events: z.array(storedEventSchema),
  })
  .strict();
