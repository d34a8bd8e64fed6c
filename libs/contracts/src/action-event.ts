import { randomUUID } from 'node:crypto';

/** Lifecycle events of an action, in lifecycle order. Each requires an `actionId`. */
export const ACTION_TYPES = [
  'action.attempted',
  'action.confirmed',
  'action.executed',
  'action.failed',
  'action.cancelled',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** Signals agents report besides the lifecycle. */
export const SIGNAL_TYPES = [
  'signal.handoff_requested',
  'signal.agent_handoff',
  'signal.permission_denied',
  'signal.rate_limited',
  'signal.budget_exceeded',
] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

/** A task's lifecycle (a unit of work an agent queues and finishes). Each requires a `taskId`. */
export const TASK_TYPES = ['task.queued', 'task.completed', 'task.failed'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** A message of a conversation (a prompt, an answer, a tool result); requires `message`. */
export const MESSAGE_TYPES = ['message.recorded'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/**
 * What producers may send: the action lifecycle, signals, administrative changes, messages and the
 * task lifecycle.
 */
export const PRODUCER_EVENT_TYPES = [...ACTION_TYPES, ...SIGNAL_TYPES, 'change.recorded', ...MESSAGE_TYPES, ...TASK_TYPES] as const;
export type ProducerEventType = (typeof PRODUCER_EVENT_TYPES)[number];

/**
 * Records only agent-ledger itself writes to the ledger; ingest and the SDK refuse them.
 * `retention.purged`: a prefix of the tenant's chains was removed, where it was archived and the
 * anchors the chains go on from (docs/retention.md).
 */
export const SYSTEM_EVENT_TYPES = ['retention.purged'] as const;
export type SystemEventType = (typeof SYSTEM_EVENT_TYPES)[number];

/** Every event type of schema v1. */
export const EVENT_TYPES = [...PRODUCER_EVENT_TYPES, ...SYSTEM_EVENT_TYPES] as const;
export type EventType = (typeof EVENT_TYPES)[number];

import type { ApprovalDecision, RiskLevel } from './vocabulary';

export { APPROVAL_DECISIONS, RISK_LEVELS, type ApprovalDecision, type RiskLevel } from './vocabulary';

export const ACTOR_TYPES = ['agent', 'user', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Who wrote a `message.recorded`. */
export const MESSAGE_ROLES = ['user', 'agent', 'system', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/**
 * What a `change.recorded` did, read from its `changes`: `before` null → create, `after` null →
 * delete, neither null → update (both null is an update of nothing: update).
 */
export const CHANGE_ACTIONS = ['create', 'update', 'delete'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export function changeActionOf(changes: { before: unknown; after: unknown } | undefined): ChangeAction | undefined {
  if (!changes) return undefined;
  if (changes.before === null && changes.after !== null) return 'create';
  if (changes.after === null && changes.before !== null) return 'delete';
  return 'update';
}

/**
 * Size limits of schema v1: characters for strings; UTF-8 bytes of the JSON (`JSON.stringify`) for
 * `metadata` and whole events.
 *
 * `eventMaxBytes` bounds a stored event, the value of one Kafka message: 256 KiB leaves room for the
 * headers within the broker's 1 MiB `message.max.bytes`, and lets a dead-lettered event travel whole
 * in the dead-letter topic (whose records stay under half the broker limit). A producer's input may
 * use `inputMaxBytes`, 1 KiB less: stamping (`eventId`, `tenantId`, `occurredAt`, `receivedAt`) adds
 * under 200 bytes. Redaction can grow an event (a value becomes `"[REDACTED]"`), so ingest validates
 * the stamped event again and refuses one that no longer fits (400, code `tooLarge`).
 */
export const ACTION_EVENT_LIMITS = {
  idMaxLength: 200,
  nameMaxLength: 200,
  messageMaxLength: 4_000,
  userAgentMaxLength: 1_000,
  /** `message.content`: a prompt or an answer; longer text is cut by the producer (or referenced). */
  messageContentMaxLength: 32_000,
  metadataMaxBytes: 16 * 1024,
  eventMaxBytes: 256 * 1024,
  inputMaxBytes: 255 * 1024,
} as const;

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

export function isActionType(value: unknown): value is ActionType {
  return typeof value === 'string' && (ACTION_TYPES as readonly string[]).includes(value);
}

export function isTaskType(value: unknown): value is TaskType {
  return typeof value === 'string' && (TASK_TYPES as readonly string[]).includes(value);
}

export interface AgentRef {
  id: string;
  name: string;
  version?: string;
}

/** Who caused the event. */
export interface Actor {
  type: ActorType;
  id: string;
  /**
   * IPv4 or IPv6 address; PII, stored encrypted. On the action events topic it is already an
   * encrypted envelope when ingest published the event (PII_ENVELOPE_SCHEMA); read it as opaque.
   */
  ip?: string;
  userAgent?: string;
}

/** The action type. */
export interface ToolRef {
  name: string;
  /** E.g. the CRM called. */
  provider?: string;
  riskLevel: RiskLevel;
}

export interface Approval {
  required: boolean;
  /** Absent while the decision is pending (an `action.attempted` that awaits approval). */
  decision?: ApprovalDecision;
  approvedBy?: string;
  /** How the decision was made, e.g. `slack`, `customer_confirmation`. */
  method?: string;
  /** Milliseconds from the request for approval to the decision. */
  decisionMs?: number;
  /** The approval request's id in the approving system (filterable: `approvalId`). */
  approvalId?: string;
  /**
   * SHA-256 (lowercase hex) of the canonical JSON (RFC 8785) of the input shown to the approver, on
   * `action.confirmed`; compared with the executed event's `inputHash` (docs/accountability.md).
   */
  argsHash?: string;
}

/**
 * Who sent the event and where it stands in that sender's sequence: one `id` per producer process,
 * `seq` counting its events from 1 with no holes. The projector lists the missing numbers
 * (`GET /v1/integrity/loss`, docs/accountability.md).
 */
export interface ProducerStamp {
  id: string;
  seq: number;
}

/** A message of a conversation (`message.recorded`); its `content` is redacted like `input`. */
export interface ChatMessage {
  role: MessageRole;
  /** Text, at most {@link ACTION_EVENT_LIMITS.messageContentMaxLength} characters. */
  content: string;
  /** Tokens the message counts (as the model reports them). */
  tokens?: number;
  /** The model that wrote or read it. */
  model?: string;
}

/** Spend against a limit, on any event (e.g. with `signal.budget_exceeded`). */
export interface Budget {
  used: number;
  limit: number;
  /** E.g. `usd`, `tokens`, `calls`. */
  unit: string;
}

/** Where the event sits in a plan: the plan, its step and the plan it belongs to. */
export interface PlanRef {
  planId: string;
  stepId?: string;
  parentPlanId?: string;
}

export interface ActionError {
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

/** The data subject (customer), for GDPR. */
export interface DataSubject {
  id: string;
  /** PII of the subject; stored encrypted with a per-subject key. */
  pii?: Record<string, unknown>;
}

/** What a `change.recorded` changed. */
export interface ResourceRef {
  type: string;
  id: string;
}

/** State before and after a `change.recorded`; `null` when the resource did not exist before / after. */
export interface Changes {
  before: unknown;
  after: unknown;
}

/** The fields a producer describes an event with (shared by input and stored form). */
export interface ActionEventBody {
  type: EventType;
  /** Required for `action.*` types; stable across the action's life. */
  actionId?: string;
  /** The conversation / agent session. */
  sessionId?: string;
  /** Required for `task.*` types; usable on any event run for the task. */
  taskId?: string;
  /** Required on `message.recorded`. */
  message?: ChatMessage;
  budget?: Budget;
  plan?: PlanRef;
  agent?: AgentRef;
  actor?: Actor;
  tool?: ToolRef;
  /** Parameters, redacted. */
  input?: Record<string, unknown>;
  /**
   * On `action.executed`: SHA-256 (lowercase hex) of the canonical JSON of the input that actually
   * ran, taken before redaction (redaction never changes it).
   */
  inputHash?: string;
  approval?: Approval;
  /** Result, redacted. */
  output?: Record<string, unknown>;
  durationMs?: number;
  /** Required on `action.failed` and `task.failed`. */
  error?: ActionError;
  subject?: DataSubject;
  /** Required on `change.recorded`. */
  resource?: ResourceRef;
  /** Required on `change.recorded`. */
  changes?: Changes;
  /** Free form; at most {@link ACTION_EVENT_LIMITS.metadataMaxBytes} bytes as JSON. */
  metadata?: Record<string, unknown>;
  /** W3C trace context. */
  traceparent?: string;
  /** The producer's sequence stamp (set by the SDK); events without one are not loss-accounted. */
  producer?: ProducerStamp;
}

/**
 * What a producer submits. No `tenantId` (it comes from the API key) and no `receivedAt` (stamped by
 * ingest): both are rejected when present.
 */
export interface ActionEventInput extends ActionEventBody {
  type: ProducerEventType;
  /** Idempotency key (lowercase UUID); generated when absent. */
  eventId?: string;
  /** Producer's clock (RFC 3339); defaults to `receivedAt`. */
  occurredAt?: string;
}

/** The stored event: what ingest publishes to Kafka and the projector persists. */
export interface ActionEvent extends ActionEventBody {
  eventId: string;
  tenantId: string;
  occurredAt: string;
  receivedAt: string;
}

/**
 * Turns a validated (and redacted) input into the stored event: sets the tenant from the caller's
 * credentials, stamps `receivedAt`, generates `eventId` when absent and defaults `occurredAt` to
 * `receivedAt`. Does not mutate `input`.
 */
export function stampActionEvent(input: ActionEventInput, stamp: { tenantId: string; receivedAt: string }): ActionEvent {
  return {
    ...input,
    eventId: input.eventId ?? randomUUID(),
    tenantId: stamp.tenantId,
    occurredAt: input.occurredAt ?? stamp.receivedAt,
    receivedAt: stamp.receivedAt,
  };
}
