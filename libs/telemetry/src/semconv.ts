/**
 * Attribute names of the OpenTelemetry semantic conventions used by the ledger's spans. The
 * messaging and GenAI conventions are still "incubating": the semantic-conventions package exports
 * them only from its `incubating` entry point, which its maintainers advise against depending on
 * (names there may change in a minor release), so the names are pinned here.
 */

// Messaging (https://opentelemetry.io/docs/specs/semconv/messaging/)
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id';
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset';

// GenAI agent and tool spans (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-agent-spans/)
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_GEN_AI_AGENT_VERSION = 'gen_ai.agent.version';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const GEN_AI_OPERATION_EXECUTE_TOOL = 'execute_tool';

export type SpanAttributes = Record<string, string | number | boolean>;

/** What a ledger event says about an agent's action, in GenAI terms (absent fields are left out). */
export interface AgentActionFacts {
  /** Events of an action (`action.*`) describe a tool call: gen_ai.operation.name = execute_tool. */
  isToolCall: boolean;
  toolName?: string;
  /** The action id: the ledger's name for one tool call. */
  callId?: string;
  agentId?: string;
  agentName?: string;
  agentVersion?: string;
  /** The session: a conversation of the agent. */
  conversationId?: string;
}

/** GenAI semantic-convention attributes of a span about an agent's action. */
export function genAiAttributes(f: AgentActionFacts): SpanAttributes {
  const out: SpanAttributes = {};
  if (f.isToolCall) out[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_EXECUTE_TOOL;
  if (f.toolName) out[ATTR_GEN_AI_TOOL_NAME] = f.toolName;
  if (f.callId) out[ATTR_GEN_AI_TOOL_CALL_ID] = f.callId;
  if (f.agentId) out[ATTR_GEN_AI_AGENT_ID] = f.agentId;
  if (f.agentName) out[ATTR_GEN_AI_AGENT_NAME] = f.agentName;
  if (f.agentVersion) out[ATTR_GEN_AI_AGENT_VERSION] = f.agentVersion;
  if (f.conversationId) out[ATTR_GEN_AI_CONVERSATION_ID] = f.conversationId;
  return out;
}

/** The fields of a ledger event that describe the agent's action (structurally: any event shape that has them). */
export interface AgentActionEventLike {
  type: string;
  actionId?: string;
  sessionId?: string;
  tool?: { name: string };
  agent?: { id: string; name: string; version?: string };
}

/** GenAI attributes of a span about one ledger event: an `action.*` event is a tool call, its actionId the call id, its session the conversation. */
export function agentActionAttributes(e: AgentActionEventLike): SpanAttributes {
  return genAiAttributes({
    isToolCall: e.type.startsWith('action.'),
    toolName: e.tool?.name,
    callId: e.actionId,
    agentId: e.agent?.id,
    agentName: e.agent?.name,
    agentVersion: e.agent?.version,
    conversationId: e.sessionId,
  });
}
