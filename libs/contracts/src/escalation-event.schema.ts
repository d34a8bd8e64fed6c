import { dateTimeString, idString, uuidString } from './action-event.schema';
import {
  ESCALATION_EVENT_LIMITS,
  ESCALATION_EVENT_TYPES,
  ESCALATION_REASONS,
  ESCALATION_SCOPES,
  SEVERITIES,
  type EscalationEventType,
} from './escalation-event';
import { deepFreeze } from './schema-validator';

// JSON Schema (draft-07) of escalation event v1: one schema per `type`, picked by the validator.
// Open: a consumer ignores fields it does not know, so a producer of a later v1 (which only gains
// optional fields, docs/events.md#evolution) never dead-letters in a consumer not upgraded yet.

const text = { type: 'string', minLength: 1, maxLength: ESCALATION_EVENT_LIMITS.textMaxLength } as const;
const reason = { type: 'string', enum: ESCALATION_REASONS } as const;
const severity = { type: 'string', enum: SEVERITIES } as const;
const triggeringEventIds = { type: 'array', items: uuidString, maxItems: ESCALATION_EVENT_LIMITS.triggeringEventIdsMaxItems } as const;
const count = { type: 'integer', minimum: 1 } as const;

const baseProperties = {
  eventId: uuidString,
  escalationId: uuidString,
  tenantId: uuidString,
  sessionId: idString,
  scope: { type: 'string', enum: ESCALATION_SCOPES },
  occurredAt: dateTimeString,
} as const;
const baseRequired = ['type', 'eventId', 'escalationId', 'tenantId', 'sessionId', 'occurredAt'];

function variant(type: EscalationEventType, properties: Record<string, object>, required: string[]) {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:agent-ledger:schema:${type}:v1`,
    title: `${type} v1`,
    type: 'object',
    properties: { type: { type: 'string', const: type }, ...baseProperties, ...properties },
    required: [...baseRequired, ...required],
  };
}

/** One schema per escalation event type. */
export const ESCALATION_EVENT_SCHEMAS = deepFreeze({
  'escalation.opened': variant(
    'escalation.opened',
    { actionId: idString, reason, severity, summary: text, customerMessage: text, triggeringEventIds, count },
    ['reason', 'severity', 'summary', 'customerMessage', 'triggeringEventIds', 'count'],
  ),
  'escalation.updated': variant(
    'escalation.updated',
    { actionId: idString, reason, severity, count, lastSeenAt: dateTimeString, triggeringEventIds },
    ['reason', 'count', 'lastSeenAt', 'triggeringEventIds'],
  ),
  'escalation.acknowledged': variant('escalation.acknowledged', { acknowledgedBy: idString, note: text }, ['acknowledgedBy']),
  'escalation.resolved': variant('escalation.resolved', { resolvedBy: idString, notes: text }, ['resolvedBy']),
} satisfies Record<EscalationEventType, object>);

/** Used when `type` is missing or unknown: reports it and checks the fields every variant shares. */
export const ESCALATION_EVENT_ENVELOPE_SCHEMA = deepFreeze({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:agent-ledger:schema:escalation-event-envelope:v1',
  type: 'object',
  properties: { type: { type: 'string', enum: ESCALATION_EVENT_TYPES }, ...baseProperties },
  required: baseRequired,
});
