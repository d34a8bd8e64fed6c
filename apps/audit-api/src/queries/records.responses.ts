import { z, type ZodTypeAny } from 'zod';
import { ACTION_STATUSES, ESCALATION_STATUSES } from '@agent-ledger/contracts';
import { jsonSchemaOf } from '@agent-ledger/runtime';
import { EXPORT_COLUMNS } from './export-format';

// The answers of the records endpoints (GET /v1/actions, /v1/actions/:id, /v1/events,
// /v1/sessions/:id/summary, /v1/export, /v1/stream), documented with ApiOutput and checked against
// real answers by test/openapi/responses.e2e-spec.ts. Objects the API builds are closed; the stored
// event is open (a later schema version may add fields).

export const instantOut = z.string().datetime({ offset: true });
export const nullableInstant = instantOut.nullable();
const text = z.string();
const count = z.number().int().min(0);

/** A page of a list: the items and the cursor of the next page (null on the last). */
export const pageOf = <T extends ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() }).strict();

/** A stored event (schema v1) as the ledger keeps it; PII fields read as opened, redacted or encrypted markers. */
export const storedEventSchema = z
  .object({
    eventId: z.string().uuid(),
    tenantId: z.string().uuid(),
    type: text,
    occurredAt: instantOut,
    receivedAt: instantOut,
  })
  .passthrough()
  .describe('The stored event (action event v1): docs/events.md');

/** An event with its place in the hash chain. */
export const eventRecordSchema = z
  .object({
    eventId: z.string().uuid(),
    recordedAt: instantOut,
    chain: z.object({ partition: z.number().int().min(0), seq: z.string().regex(/^\d+$/), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    event: storedEventSchema,
  })
  .strict();

export const actionSchema = z
  .object({
    actionId: text,
    status: z.enum(ACTION_STATUSES),
    sessionId: text.nullable(),
    agent: z.object({ id: text, name: text.nullable() }).strict().nullable(),
    actor: z.object({ type: text.nullable(), id: text }).strict().nullable(),
    tool: z.object({ name: text, provider: text.nullable(), riskLevel: text.nullable() }).strict().nullable(),
    approval: z
      .object({ required: z.boolean().nullable(), decision: text.nullable(), approvedBy: text.nullable(), approvalId: text.nullable(), decisionMs: z.number().nullable() })
      .strict()
      .nullable(),
    taskId: text.nullable(),
    plan: z.object({ planId: text, stepId: text.nullable() }).strict().nullable(),
    stages: z
      .object({ attemptedAt: nullableInstant, confirmedAt: nullableInstant, executedAt: nullableInstant, failedAt: nullableInstant, cancelledAt: nullableInstant })
      .strict(),
    firstEventAt: instantOut,
    lastEventAt: instantOut,
    durationMs: z.number().min(0).nullable(),
    error: z.object({ message: text, code: text.nullable() }).strict().nullable(),
    subjectId: text.nullable(),
    eventCount: count,
    anomaly: z.boolean(),
    anomalies: z.array(z.object({ code: text, description: text }).strict()),
  })
  .strict();

export const escalationSchema = z
  .object({
    escalationId: z.string().uuid(),
    sessionId: text,
    scope: z.enum(['session', 'tenant']),
    actionId: text.nullable(),
    reason: text,
    severity: text,
    status: z.enum(ESCALATION_STATUSES),
    summary: text,
    customerMessage: text,
    count: count,
    triggeringEventIds: z.array(text),
    openedAt: instantOut,
    lastSeenAt: instantOut,
    acknowledgedAt: nullableInstant,
    acknowledgedBy: text.nullable(),
    resolvedAt: nullableInstant,
    resolvedBy: text.nullable(),
    notes: text.nullable(),
  })
  .strict();

const sessionEscalationsSchema = z.object({ open: count, acknowledged: count, resolved: count, active: z.array(escalationSchema) }).strict();

export const actionListSchema = pageOf(actionSchema);
export const eventListSchema = pageOf(eventRecordSchema);

export const actionDetailSchema = actionSchema
  .extend({
    timeline: z.array(
      z
        .object({
          eventId: z.string().uuid(),
          type: text,
          occurredAt: instantOut,
          receivedAt: instantOut,
          recordedAt: instantOut,
          approval: z
            .object({ required: z.boolean().optional(), decision: text.optional(), approvedBy: text.optional(), method: text.optional(), approvalId: text.optional(), decisionMs: z.number().optional() })
            .passthrough()
            .nullable(),
          durationMs: z.number().nullable(),
          error: z.object({ message: text, code: text.optional() }).passthrough().nullable(),
          redacted: z.array(text).describe('JSON pointers of the values ingest redacted'),
          event: storedEventSchema,
        })
        .strict(),
    ),
    sessionEscalations: sessionEscalationsSchema,
  })
  .strict();

const countsBy = z.record(count);

export const sessionSummarySchema = z
  .object({
    sessionId: text,
    actions: count,
    events: count,
    byStatus: countsBy,
    byRiskLevel: countsBy,
    byApprovalDecision: countsBy,
    totalDurationMs: z.number().min(0).nullable(),
    anomalies: count,
    firstEventAt: nullableInstant,
    lastEventAt: nullableInstant,
    escalations: sessionEscalationsSchema,
  })
  .strict();

/** An exported event: the event record and the anomaly codes of its action (docs/accountability.md). */
export const exportRecordSchema = eventRecordSchema.extend({ anomalyCodes: z.array(text).describe("The anomaly codes of the event's action; empty when none") }).strict();

/** GET /v1/export: one media type per `format`; JSON lines are one stored event per line. */
export const exportContent = {
  'application/json': z.array(exportRecordSchema),
  'application/x-ndjson': exportRecordSchema,
  'text/csv': { type: 'string', description: `RFC 4180 CSV with a header row: ${EXPORT_COLUMNS.join(', ')}` },
};

/** GET /v1/stream: each `event: ledger-event` carries one event record as its data; `event: error` carries `{code, message}` and ends the stream. */
export const streamContent = {
  'text/event-stream': {
    description: 'The data of each server-sent event: an event record (`event: ledger-event`, id: the event id) or, last, `{code, message}` (`event: error`)',
    anyOf: [jsonSchemaOf(eventRecordSchema), { type: 'object', required: ['code', 'message'], additionalProperties: false, properties: { code: { type: 'string' }, message: { type: 'string' } } }],
  },
};
