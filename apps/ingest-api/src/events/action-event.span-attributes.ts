import { ACTION_EVENTS_TOPIC, type ActionEvent } from '@agent-ledger/contracts';
import { agentActionAttributes, semconv, type SpanAttributes } from '@agent-ledger/telemetry';

/**
 * What the span of one published event says: the Kafka message (messaging.*), the agent's action in
 * the GenAI conventions (gen_ai.* — an `action.*` event is a tool call, its actionId the call id,
 * its session the conversation) and the ledger's own names. No payload, no personal data.
 */
export function actionEventSpanAttributes(event: ActionEvent): SpanAttributes {
  return {
    [semconv.ATTR_MESSAGING_SYSTEM]: 'kafka',
    [semconv.ATTR_MESSAGING_OPERATION_TYPE]: 'send',
    [semconv.ATTR_MESSAGING_OPERATION_NAME]: 'send',
    [semconv.ATTR_MESSAGING_DESTINATION_NAME]: ACTION_EVENTS_TOPIC,
    [semconv.ATTR_MESSAGING_MESSAGE_ID]: event.eventId,
    ...agentActionAttributes(event),
    'agent_ledger.tenant.id': event.tenantId,
    'agent_ledger.event.type': event.type,
    'agent_ledger.event.id': event.eventId,
  };
}
