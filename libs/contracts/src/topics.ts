/**
 * Names that messages and jobs travel under. They are part of the public interface: once released
 * they are never renamed (a rename strands in-flight messages and queued jobs); a breaking change
 * gets a new versioned name instead.
 */

import { TOPIC_PREFIX } from './config/topic-prefix';

export { TOPIC_PREFIX, TOPIC_PREFIX_VARIABLE, topicPrefixOf } from './config/topic-prefix';

/** Every lifecycle event and signal, keyed by {@link actionEventKey}. */
export const ACTION_EVENTS_TOPIC = `${TOPIC_PREFIX}agent-ledger.action-events.v1`;
/** Action events the projector could not accept, with the reason and origin in headers. */
export const ACTION_EVENTS_DLQ_TOPIC = `${TOPIC_PREFIX}agent-ledger.action-events.dlq.v1`;
/** Escalation lifecycle events, keyed by {@link escalationEventKey}. */
export const ESCALATIONS_TOPIC = `${TOPIC_PREFIX}agent-ledger.escalations.v1`;
/** Escalation events a consumer could not apply, with the reason and origin in headers. */
export const ESCALATIONS_DLQ_TOPIC = `${TOPIC_PREFIX}agent-ledger.escalations.dlq.v1`;

/** The dead-letter topic of each consumed topic. */
export const DLQ_TOPIC_OF: Readonly<Record<string, string>> = {
  [ACTION_EVENTS_TOPIC]: ACTION_EVENTS_DLQ_TOPIC,
  [ESCALATIONS_TOPIC]: ESCALATIONS_DLQ_TOPIC,
};
/** Signed checkpoints over the chain heads of a tenant. */
export const CHECKPOINTS_TOPIC = `${TOPIC_PREFIX}agent-ledger.checkpoints.v1`;

/** Default Kafka consumer group ids (each service's `*_GROUP_ID` setting overrides its own). */
export const AUDIT_PROJECTOR_GROUP = `${TOPIC_PREFIX}audit-projector`;
export const ESCALATION_WORKER_GROUP = `${TOPIC_PREFIX}escalation-worker`;
export const NOTIFIER_GROUP = `${TOPIC_PREFIX}notifier`;

/** BullMQ queue names. */
export const EMAIL_QUEUE = 'agent-ledger.notifications.email';
export const WEBHOOK_QUEUE = 'agent-ledger.notifications.webhook';
/** The retention worker's queue: scheduled sweeps of every tenant and on-demand runs of one (docs/retention.md). */
export const RETENTION_QUEUE = 'agent-ledger.retention';
/** Jobs of the retention queue: `sweep` (every tenant; the worker's job scheduler adds it) and `tenant` (one tenant now; audit-api adds it). */
export const RETENTION_SWEEP_JOB = 'sweep';
export const RETENTION_TENANT_JOB = 'tenant';

/** Payload of a `tenant` job: which tenant, the run's id (also the job id), and who asked (an API key id, or `root`). */
export interface RetentionJobData {
  tenantId: string;
  runId: string;
  requestedBy: string;
}

/** Kafka header: why a message was sent to a DLQ topic. */
export const DLQ_REASON_HEADER = 'x-ledger-dlq-reason';
/** Kafka header: the topic the dead-lettered message was read from. */
export const DLQ_SOURCE_TOPIC_HEADER = 'x-ledger-dlq-source-topic';
/** Kafka header: the partition the dead-lettered message was read from (decimal). */
export const DLQ_SOURCE_PARTITION_HEADER = 'x-ledger-dlq-source-partition';
/** Kafka header: the offset of the dead-lettered message in its source partition (decimal). */
export const DLQ_SOURCE_OFFSET_HEADER = 'x-ledger-dlq-source-offset';
/** Kafka header: the consumer group that could not apply the message. */
export const DLQ_GROUP_HEADER = 'x-ledger-dlq-group';
/** Kafka header: the short machine-readable reason, e.g. `schema`, `unknown_tenant`, `data_error`. */
export const DLQ_CODE_HEADER = 'x-ledger-dlq-code';
/** Kafka header: the class of the error that dead-lettered the message (`invalid` before processing, `data` during). */
export const DLQ_ERROR_CLASS_HEADER = 'x-ledger-dlq-error-class';
/** Kafka header: when the message was dead-lettered (RFC 3339). */
export const DLQ_AT_HEADER = 'x-ledger-dlq-at';
/** Kafka header: the tenant the message names, when it could be read (a uuid). */
export const DLQ_TENANT_HEADER = 'x-ledger-dlq-tenant';
/** Kafka header, set when the original value was too large to travel in the DLQ topic: its size in bytes (the source position is then the reference). */
export const DLQ_VALUE_OMITTED_HEADER = 'x-ledger-dlq-value-omitted';
/** Kafka header: the schema (name and version) of the message value, e.g. {@link ACTION_EVENT_SCHEMA_VERSION}. */
export const SCHEMA_VERSION_HEADER = 'x-ledger-schema';
/** Kafka header carrying the W3C trace context of the message (also stored in the event). */
export const TRACEPARENT_HEADER = 'traceparent';

/** Values of {@link SCHEMA_VERSION_HEADER}. */
export const ACTION_EVENT_SCHEMA_VERSION = 'action-event.v1';
export const ESCALATION_EVENT_SCHEMA_VERSION = 'escalation-event.v1';
export const CHECKPOINT_SCHEMA_VERSION = 'checkpoint.v1';

/** The ids of an action event that can serve as its partitioning key. */
export interface ActionEventKeyParts {
  actionId?: string;
  sessionId?: string;
  eventId: string;
}

/**
 * Kafka message key of an action event: `tenantId:actionId`.
 *
 * All events of one action share a partition, so consumers see an action's lifecycle in order.
 * Events without an `actionId` (signals, `change.recorded`) are keyed by their `sessionId`, so the
 * signals of one conversation stay together (what the escalation worker counts per session);
 * events with neither are keyed by their `eventId`, which spreads them evenly.
 *
 * Pass the event (or its ids), or the id to key by directly.
 */
export function actionEventKey(tenantId: string, idOrEvent: string | ActionEventKeyParts): string {
  const id = typeof idOrEvent === 'string' ? idOrEvent : idOrEvent.actionId || idOrEvent.sessionId || idOrEvent.eventId;
  return `${tenantId}:${id}`;
}

/** Kafka message key of an escalation event: `tenantId:sessionId` (the tenant and conversation). */
export function escalationEventKey(tenantId: string, sessionId: string): string {
  return `${tenantId}:${sessionId}`;
}

/** Kafka header of action events: the JSON pointers ingest redacted, comma-separated (`,` and `%` inside a pointer percent-encoded). */
export const REDACTED_PATHS_HEADER = 'x-ledger-redacted';
/** Kafka header of action events, set when the redacted pointers did not all fit {@link REDACTED_PATHS_HEADER}: how many were left out. */
export const REDACTED_PATHS_OMITTED_HEADER = 'x-ledger-redacted-omitted';
