import type { EscalationEvent } from '../escalation-event';
import { ESCALATION_EVENT_SCHEMA_VERSION, ESCALATIONS_TOPIC, escalationEventKey } from '../topics';
import { validateEscalationEvent } from '../validate-escalation-event';
import { commonHeaders, commonMeta, decodeWith, type CommonMeta, type TopicCodec } from './topic-codec';

/** Decoded headers of an escalation event message. */
export type EscalationEventMeta = CommonMeta;

/** Escalation events are bounded by their schema (texts of 4,000 characters, 100 ids): far below this. */
const MAX_BYTES = 256 * 1024;

/**
 * Codec of `agent-ledger.escalations.v1` (the escalation worker and audit-api produce; the
 * projector and the notifier consume).
 *
 * - key: `tenantId:sessionId`, see {@link escalationEventKey};
 * - value: the event (`validateEscalationEvent`, one schema per `type`, open to fields added later) as JSON;
 * - headers: `x-ledger-schema: escalation-event.v1`, `traceparent` when given;
 * - decode: size, UTF-8 JSON, schema header (absent is accepted), then `validateEscalationEvent`
 *   (text rules included: a NUL in a note is refused here, never handed to PostgreSQL).
 */
export const escalationsCodec: TopicCodec<EscalationEvent, EscalationEventMeta> = {
  topic: ESCALATIONS_TOPIC,
  schemaVersion: ESCALATION_EVENT_SCHEMA_VERSION,
  key: (event) => escalationEventKey(event.tenantId, event.sessionId),
  validate: validateEscalationEvent,
  encode: (event, meta = {}) => ({
    key: escalationEventKey(event.tenantId, event.sessionId),
    value: JSON.stringify(event),
    headers: commonHeaders(ESCALATION_EVENT_SCHEMA_VERSION, meta.traceparent),
  }),
  decode: (message) =>
    decodeWith(message, { schemaVersion: ESCALATION_EVENT_SCHEMA_VERSION, maxBytes: MAX_BYTES, validate: validateEscalationEvent, meta: commonMeta }),
};
