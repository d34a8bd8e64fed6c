/**
 * Names that messages and jobs travel under. They are part of the public interface: once released
 * they are never renamed (a rename strands in-flight messages and queued jobs); a breaking change
 * gets a new versioned name instead.
 */

/** Every lifecycle event and signal, keyed by {@link actionEventKey}. */
export const ACTION_EVENTS_TOPIC = 'agent-ledger.action-events.v1';
/** Action events the projector could not accept, with the reason and origin in headers. */
export const ACTION_EVENTS_DLQ_TOPIC = 'agent-ledger.action-events.dlq.v1';
/** Escalation lifecycle events, keyed by {@link escalationEventKey}. */
export const ESCALATIONS_TOPIC = 'agent-ledger.escalations.v1';
/** Signed checkpoints over the chain heads of a tenant. */
export const CHECKPOINTS_TOPIC = 'agent-ledger.checkpoints.v1';

/** Kafka consumer group ids. */
export const AUDIT_PROJECTOR_GROUP = 'audit-projector';
export const ESCALATION_WORKER_GROUP = 'escalation-worker';
export const NOTIFIER_GROUP = 'notifier';

/** BullMQ queue names. */
export const EMAIL_QUEUE = 'agent-ledger.notifications.email';
export const WEBHOOK_QUEUE = 'agent-ledger.notifications.webhook';

/** Kafka header: why a message was sent to a DLQ topic. */
export const DLQ_REASON_HEADER = 'x-ledger-dlq-reason';
/** Kafka header: the topic the dead-lettered message was read from. */
export const DLQ_SOURCE_TOPIC_HEADER = 'x-ledger-dlq-source-topic';
/** Kafka header: the partition the dead-lettered message was read from (decimal). */
export const DLQ_SOURCE_PARTITION_HEADER = 'x-ledger-dlq-source-partition';
/** Kafka header: the offset of the dead-lettered message in its source partition (decimal). */
export const DLQ_SOURCE_OFFSET_HEADER = 'x-ledger-dlq-source-offset';
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
