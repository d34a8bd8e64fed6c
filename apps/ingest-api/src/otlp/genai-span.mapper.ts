import { createHash } from 'node:crypto';
import {
  ACTION_EVENT_LIMITS,
  canonicalJson,
  RISK_LEVELS,
  validateActionEventInput,
  type ActionEventInput,
  type AgentRef,
  type RiskLevel,
} from '@agent-ledger/contracts';
import { SPAN_STATUS, type AttributeValue, type OtlpSpan } from './otlp-span';

/** The span attributes read (OpenTelemetry GenAI semantic conventions, plus agent-ledger's risk level). */
export const GENAI_ATTRIBUTES = {
  operation: 'gen_ai.operation.name',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolArguments: 'gen_ai.tool.call.arguments',
  toolResult: 'gen_ai.tool.call.result',
  conversationId: 'gen_ai.conversation.id',
  agentId: 'gen_ai.agent.id',
  agentName: 'gen_ai.agent.name',
  errorType: 'error.type',
  riskLevel: 'agent_ledger.tool.risk_level',
  serviceName: 'service.name',
} as const;

/** The `gen_ai.operation.name` of a tool call. */
export const EXECUTE_TOOL = 'execute_tool';

/** The risk level of a tool call span without `agent_ledger.tool.risk_level`. */
export const DEFAULT_RISK_LEVEL: RiskLevel = 'moderate';

export type IgnoredReason = 'not_tool_call';
export type RejectedReason = 'invalid_ids' | 'invalid_times' | 'missing_tool_name' | 'invalid_risk_level' | 'invalid_event';

export type SpanOutcome =
  | { kind: 'action'; events: [ActionEventInput, ActionEventInput] }
  | { kind: 'ignored'; reason: IgnoredReason }
  | { kind: 'rejected'; reason: RejectedReason; message: string };

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * The event id of one event of a span: a UUID (version 8, RFC 9562) from the SHA-256 of the trace
 * id, the span id and the event type. The same span exported again yields the same ids, so the
 * ledger (which keeps one event per tenant and id) stores it once.
 */
export function spanEventId(traceId: string, spanId: string, type: string): string {
  const h = createHash('sha256').update(`otlp/${traceId}/${spanId}/${type}`).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * Maps one span: a tool call (`gen_ai.operation.name = execute_tool`) becomes `action.attempted` at
 * its start and `action.executed` (or `action.failed` when its status is ERROR) at its end, both
 * checked against the intake contract; any other span is ignored. See docs/otlp.md for each field.
 */
export function mapGenAiSpan(span: OtlpSpan): SpanOutcome {
  const attr = span.attributes;
  if (attr.get(GENAI_ATTRIBUTES.operation) !== EXECUTE_TOOL) return { kind: 'ignored', reason: 'not_tool_call' };
  const reject = (reason: RejectedReason, message: string): SpanOutcome => ({ kind: 'rejected', reason, message: `span ${span.spanId || '(no id)'}: ${message}` });

  if (!TRACE_ID.test(span.traceId) || /^0+$/.test(span.traceId) || !SPAN_ID.test(span.spanId) || /^0+$/.test(span.spanId)) {
    return reject('invalid_ids', 'the trace id must be 16 bytes and the span id 8 bytes, not all zero');
  }
  const { startTimeUnixNano: start, endTimeUnixNano: end } = span;
  if (start === 0n || end === 0n || end < start) return reject('invalid_times', 'the start and end times must be set and the end not before the start');

  const toolName = textOf(attr.get(GENAI_ATTRIBUTES.toolName)) ?? (span.name.startsWith(`${EXECUTE_TOOL} `) ? span.name.slice(EXECUTE_TOOL.length + 1).trim() || undefined : undefined);
  if (!toolName) return reject('missing_tool_name', `a tool call span needs ${GENAI_ATTRIBUTES.toolName} (or the name "execute_tool <tool>")`);
  const risk = attr.get(GENAI_ATTRIBUTES.riskLevel);
  if (risk !== undefined && !(RISK_LEVELS as readonly unknown[]).includes(risk)) {
    return reject('invalid_risk_level', `${GENAI_ATTRIBUTES.riskLevel} must be one of ${RISK_LEVELS.join(', ')}`);
  }

  const common: Omit<ActionEventInput, 'type'> = {
    actionId: textOf(attr.get(GENAI_ATTRIBUTES.toolCallId)) ?? span.spanId,
    sessionId: textOf(attr.get(GENAI_ATTRIBUTES.conversationId)) ?? span.traceId,
    tool: { name: toolName, riskLevel: (risk as RiskLevel | undefined) ?? DEFAULT_RISK_LEVEL },
    traceparent: `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`,
  };
  const agent = agentOf(span);
  if (agent) common.agent = agent;

  const input = jsonObjectOf(attr.get(GENAI_ATTRIBUTES.toolArguments));
  const attempted: ActionEventInput = {
    ...common,
    type: 'action.attempted',
    eventId: spanEventId(span.traceId, span.spanId, 'action.attempted'),
    occurredAt: isoOf(start),
    ...(input ? { input } : {}),
  };
  const failed = span.status.code === SPAN_STATUS.error;
  const type = failed ? 'action.failed' : 'action.executed';
  const terminal: ActionEventInput = {
    ...common,
    type,
    eventId: spanEventId(span.traceId, span.spanId, type),
    occurredAt: isoOf(end),
    durationMs: Number(end - start) / 1e6,
  };
  if (failed) terminal.error = errorOf(span);
  else {
    const output = jsonObjectOf(attr.get(GENAI_ATTRIBUTES.toolResult));
    if (output) terminal.output = output;
    if (input) terminal.inputHash = createHash('sha256').update(canonicalJson(input), 'utf8').digest('hex');
  }

  for (const event of [attempted, terminal]) {
    const checked = validateActionEventInput(event);
    if (!checked.ok) {
      const first = checked.errors[0];
      return reject('invalid_event', `the ${event.type} it maps to is invalid: ${first.pointer || '(event)'} ${first.message}`);
    }
  }
  return { kind: 'action', events: [attempted, terminal] };
}

function textOf(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value.length ? value : undefined;
}

/** Milliseconds precision: the ledger's instants are RFC 3339 with milliseconds. */
function isoOf(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000n)).toISOString();
}

/** `gen_ai.agent.id` and `gen_ai.agent.name` (either standing for the other), else the resource's `service.name`. */
function agentOf(span: OtlpSpan): AgentRef | undefined {
  const id = textOf(span.attributes.get(GENAI_ATTRIBUTES.agentId));
  const name = textOf(span.attributes.get(GENAI_ATTRIBUTES.agentName));
  if (id || name) return { id: (id ?? name)!, name: (name ?? id)! };
  const service = textOf(span.resource.get(GENAI_ATTRIBUTES.serviceName));
  return service ? { id: service, name: service } : undefined;
}

/** A JSON object given as text (`gen_ai.tool.call.arguments`/`result`) or as a key-value list; else nothing. */
function jsonObjectOf(value: AttributeValue | undefined): Record<string, unknown> | undefined {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/** The status message, else the `exception` event's message; the code from `error.type` or the exception's type. */
function errorOf(span: OtlpSpan): { message: string; code?: string } {
  const exception = span.events.find((e) => e.name === 'exception')?.attributes;
  const message = span.status.message || textOf(exception?.get('exception.message')) || 'the span ended with status ERROR';
  const code = textOf(span.attributes.get(GENAI_ATTRIBUTES.errorType)) ?? textOf(exception?.get('exception.type'));
  return { message: message.slice(0, ACTION_EVENT_LIMITS.messageMaxLength), ...(code ? { code: code.slice(0, ACTION_EVENT_LIMITS.idMaxLength) } : {}) };
}
