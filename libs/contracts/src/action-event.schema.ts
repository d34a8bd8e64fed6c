import {
  ACTION_EVENT_LIMITS,
  ACTION_TYPES,
  ACTOR_TYPES,
  APPROVAL_DECISIONS,
  EVENT_TYPES,
  MESSAGE_ROLES,
  MESSAGE_TYPES,
  TASK_TYPES,
  PRODUCER_EVENT_TYPES,
  SYSTEM_EVENT_TYPES,
  RISK_LEVELS,
} from './action-event';
import { EARLIEST_INSTANT, LATEST_INSTANT } from './instant-range';
import { deepFreeze, INSTANT_RANGE_KEYWORD } from './schema-validator';

// JSON Schema (draft-07) of action event v1, in two forms: what a producer submits (input) and
// what Kafka carries (stored). Everything but the `required` lists, the two stamped fields and
// closedness is shared. Free-form objects (input, output, metadata, error.details, subject.pii,
// changes.before / after) accept any content that obeys the text rules every validator applies
// (json-text.ts: no NUL or lone surrogates, at most 64 levels, finite numbers).
//
// The input form is closed at every level: ingest refuses an unknown field, so a typo such as
// `tool.risklevel` is reported instead of silently dropped. The stored form is open at every level:
// a reader ignores fields it does not know, so a producer of a later v1 (which only gains optional
// fields, docs/events.md#evolution) never dead-letters in a consumer that is not upgraded yet. The
// unknown fields are kept in the stored event_json and covered by its hash.
//
// The byte limits (the event, `metadata`) are checked in code (see validate-action-event.ts): JSON
// Schema cannot measure serialized size.

const L = ACTION_EVENT_LIMITS;

/** W3C trace context `traceparent` (version-format-agnostic: later versions may append fields). */
export const TRACEPARENT_PATTERN = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-[0-9a-zA-Z._-]+)*$';

export const idString = { type: 'string', minLength: 1, maxLength: L.idMaxLength } as const;
export const nameString = { type: 'string', minLength: 1, maxLength: L.nameMaxLength } as const;
export const messageString = { type: 'string', minLength: 1, maxLength: L.messageMaxLength } as const;
export const uuidString = { type: 'string', format: 'uuid' } as const;
/** RFC 3339 with a zone, naming an instant within the ledger's range (see instant-range.ts). */
export const dateTimeString = { type: 'string', format: 'date-time', [INSTANT_RANGE_KEYWORD]: [EARLIEST_INSTANT, LATEST_INSTANT] } as const;
const freeObject = { type: 'object' } as const;
const nonNegativeNumber = { type: 'number', minimum: 0 } as const;
const nonNegativeInteger = { type: 'integer', minimum: 0 } as const;

function closedObject(properties: Record<string, object>, required: string[]) {
  return { type: 'object', properties, required, additionalProperties: false } as const;
}

/** A structured object of the input form (closed) or of the stored form (open). */
function structured(closed: boolean) {
  return (properties: Record<string, object>, required: string[]) => (closed ? closedObject(properties, required) : ({ type: 'object', properties, required } as const));
}

const ipString = { type: 'string', format: 'ip' } as const;
/** SHA-256 in lowercase hex: `approval.argsHash`, `inputHash` (docs/accountability.md). */
export const SHA256_HEX_PATTERN = '^[0-9a-f]{64}$';
const sha256Hex = { type: 'string', pattern: SHA256_HEX_PATTERN } as const;

/**
 * An encrypted PII value (`subject.pii`, `actor.ip`) as ingest publishes it and the ledger stores it
 * (`PiiEnvelope` of @agent-ledger/integrity): AES-256-GCM under the subject's data key `kid`.
 */
export const PII_ENVELOPE_SCHEMA = deepFreeze(
  closedObject(
    {
      $enc: { const: 'v1' },
      kid: uuidString,
      iv: { type: 'string', minLength: 1, maxLength: 64 },
      ct: { type: 'string', minLength: 1 },
      tag: { type: 'string', minLength: 1, maxLength: 64 },
    },
    ['$enc', 'kid', 'iv', 'ct', 'tag'],
  ),
);

function actorObject(ip: object, closed: boolean) {
  return structured(closed)(
    {
      type: { type: 'string', enum: ACTOR_TYPES },
      id: idString,
      ip,
      userAgent: { type: 'string', maxLength: L.userAgentMaxLength },
    },
    ['type', 'id'],
  );
}

function bodyProperties(closed: boolean) {
  const object = structured(closed);
  return {
    type: { type: 'string', enum: EVENT_TYPES },
    actionId: idString,
    sessionId: idString,
    agent: object({ id: idString, name: nameString, version: nameString }, ['id', 'name']),
    actor: actorObject(ipString, closed),
    tool: object({ name: nameString, provider: nameString, riskLevel: { type: 'string', enum: RISK_LEVELS } }, ['name', 'riskLevel']),
    input: freeObject,
    inputHash: sha256Hex,
    approval: object(
      {
        required: { type: 'boolean' },
        decision: { type: 'string', enum: APPROVAL_DECISIONS },
        approvedBy: idString,
        method: nameString,
        decisionMs: nonNegativeNumber,
        approvalId: idString,
        argsHash: sha256Hex,
      },
      ['required'],
    ),
    taskId: idString,
    message: object(
      {
        role: { type: 'string', enum: MESSAGE_ROLES },
        content: { type: 'string', maxLength: L.messageContentMaxLength },
        tokens: nonNegativeInteger,
        model: nameString,
      },
      ['role', 'content'],
    ),
    budget: object({ used: nonNegativeNumber, limit: nonNegativeNumber, unit: nameString }, ['used', 'limit', 'unit']),
    plan: object({ planId: idString, stepId: idString, parentPlanId: idString }, ['planId']),
    output: freeObject,
    durationMs: nonNegativeNumber,
    error: object({ message: messageString, code: idString, details: freeObject }, ['message']),
    subject: object({ id: idString, pii: freeObject }, ['id']),
    resource: object({ type: nameString, id: idString }, ['type', 'id']),
    changes: object({ before: {}, after: {} }, ['before', 'after']),
    metadata: freeObject,
    traceparent: { type: 'string', pattern: TRACEPARENT_PATTERN },
    producer: object({ id: idString, seq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } }, ['id', 'seq']),
  } as const;
}

/** `then: requires(...)`: the listed properties must be present (their shape is checked above). */
function requires(...names: string[]) {
  // `properties: {x: true}` only declares the names for Ajv's strictRequired check.
  return { properties: Object.fromEntries(names.map((n) => [n, true])), required: names };
}

/** Rules that depend on `type`. */
const typeRules = [
  { if: { properties: { type: { enum: ACTION_TYPES } }, required: ['type'] }, then: requires('actionId') },
  { if: { properties: { type: { enum: ['action.failed', 'task.failed'] } }, required: ['type'] }, then: requires('error') },
  { if: { properties: { type: { enum: TASK_TYPES } }, required: ['type'] }, then: requires('taskId') },
  { if: { properties: { type: { enum: MESSAGE_TYPES } }, required: ['type'] }, then: requires('message') },
  { if: { properties: { type: { enum: ['change.recorded', ...SYSTEM_EVENT_TYPES] } }, required: ['type'] }, then: requires('resource', 'changes') },
];

/** What a producer submits (HTTP body item, SDK call): no tenantId, no receivedAt. */
export const ACTION_EVENT_INPUT_SCHEMA = deepFreeze({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:agent-ledger:schema:action-event-input:v1',
  title: 'Action event v1 (producer input)',
  type: 'object',
  properties: {
    eventId: uuidString,
    occurredAt: dateTimeString,
    ...bodyProperties(true),
    // System records (retention.purged) are written by agent-ledger only.
    type: { type: 'string', enum: PRODUCER_EVENT_TYPES },
    // Set by ingest, never trusted from the producer: rejected with code `forbidden`.
    tenantId: false,
    receivedAt: false,
  },
  required: ['type'],
  additionalProperties: false,
  allOf: typeRules,
} as const);

/** What Kafka carries and the projector validates again before persisting: open at every level (see above). */
export const ACTION_EVENT_SCHEMA = deepFreeze({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:agent-ledger:schema:action-event:v1',
  title: 'Action event v1 (stored)',
  type: 'object',
  properties: {
    eventId: uuidString,
    // Tenants are identified by UUIDs (tenants.id).
    tenantId: uuidString,
    occurredAt: dateTimeString,
    receivedAt: dateTimeString,
    ...bodyProperties(false),
    // On Kafka actor.ip is encrypted by ingest (an envelope); direct producers may send it in clear.
    // The envelope stays closed: a reader must understand all of it to decrypt it, so another form
    // of envelope gets another `$enc` value, never an extra field.
    actor: actorObject({ anyOf: [ipString, PII_ENVELOPE_SCHEMA] }, false),
  },
  required: ['eventId', 'type', 'tenantId', 'occurredAt', 'receivedAt'],
  allOf: typeRules,
} as const);
