import type {
  ActionError,
  ActionEventInput,
  Actor,
  AgentRef,
  Approval,
  Budget,
  Changes,
  ChatMessage,
  DataSubject,
  PlanRef,
  ResourceRef,
  ToolRef,
} from '@agent-ledger/contracts';

/** An event as the SDK accepts it: schema v1 input, with `occurredAt` also as a `Date`. */
export type LedgerEventInput = Omit<ActionEventInput, 'occurredAt'> & {
  /** Producer's clock; defaults to the moment the event is recorded. */
  occurredAt?: string | Date;
};

/** Fields every typed helper accepts. */
export interface EventContext {
  /** Idempotency key (lowercase UUID v4); generated when absent. */
  eventId?: string;
  occurredAt?: string | Date;
  /** The conversation / agent session. */
  sessionId?: string;
  agent?: AgentRef;
  actor?: Actor;
  /** The data subject (customer), for GDPR. */
  subject?: DataSubject;
  /** Free form, at most 16 KiB as JSON. */
  metadata?: Record<string, unknown>;
  /** W3C trace context. */
  traceparent?: string;
  /** The task the event belongs to (filterable: `taskId`). */
  taskId?: string;
  /** Spend against a limit: `{ used, limit, unit }`. */
  budget?: Budget;
  /** The plan and step the event belongs to (filterable: `planId`). */
  plan?: PlanRef;
}

/**
 * `message.recorded`: a message of a conversation (a prompt, an answer, a tool's result). The ledger
 * redacts `message.content` like `input` (the tenant's redaction); still, send what an auditor needs
 * to read, not secrets or documents: at most 32,000 characters.
 */
export interface MessageEvent extends EventContext {
  sessionId: string;
  message: ChatMessage;
  /** The action the message is about, if any. */
  actionId?: string;
}

/** `task.queued` / `task.completed`: a task's lifecycle; `taskId` is required. */
export interface TaskEvent extends EventContext {
  taskId: string;
  durationMs?: number;
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
}

/** `task.failed`, with the error. */
export interface TaskFailedEvent extends TaskEvent {
  error: ActionError;
}

/** `action.attempted`: an agent is about to call a tool (or asks for approval to). */
export interface AttemptedEvent extends EventContext {
  /** Stable across the action's life; generated (UUID) when absent and returned by `attempted()`. */
  actionId?: string;
  sessionId: string;
  agent: AgentRef;
  actor: Actor;
  tool: ToolRef;
  input: Record<string, unknown>;
  /** `{ required: true }` without a decision is an approval request. */
  approval: Approval;
}

/** `action.confirmed`: approved, or confirmed by the customer; name the approver. */
export interface ConfirmedEvent extends EventContext {
  actionId: string;
  approval: Approval;
  tool?: ToolRef;
  /**
   * The input shown to the approver. The helper sets `approval.argsHash` to its hash (SDK
   * `argsHash`, taken before ingest redacts the input) unless `approval.argsHash` is given.
   */
  input?: Record<string, unknown>;
}

/** `action.executed`. Pass `tool` and `approval` so rules such as `high_risk_unapproved` see them. */
export interface ExecutedEvent extends EventContext {
  actionId: string;
  output?: Record<string, unknown>;
  durationMs?: number;
  tool?: ToolRef;
  approval?: Approval;
  /**
   * The input that actually ran. The helper sets `inputHash` to its hash (SDK `inputHash`, taken
   * before ingest redacts the input) unless `inputHash` is given; the projector compares it with the
   * approved `approval.argsHash` (anomaly `approval_mismatch`).
   */
  input?: Record<string, unknown>;
  /** SHA-256 (lowercase hex) of the canonical JSON of the input that ran; computed from `input` when absent. */
  inputHash?: string;
}

/** `action.failed`. Pass `tool` so the `action_failed` rule sees its risk level. */
export interface FailedEvent extends EventContext {
  actionId: string;
  error: ActionError;
  durationMs?: number;
  tool?: ToolRef;
  approval?: Approval;
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
}

/** `action.cancelled`: from attempted or confirmed; a rejected or expired approval says so in `approval.decision`. */
export interface CancelledEvent extends EventContext {
  actionId: string;
  approval?: Approval;
  tool?: ToolRef;
}

/** The `signal.*` events. Escalations are kept per session, so `sessionId` is required. */
export interface SignalEvent extends EventContext {
  sessionId: string;
  /** The action the signal is about, if any. */
  actionId?: string;
  tool?: ToolRef;
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: ActionError;
}

/** `change.recorded`: a configuration or resource change. */
export interface ChangeRecordedEvent extends EventContext {
  resource: ResourceRef;
  /** `before` / `after` may be `null` for "did not exist". */
  changes: Changes;
  actionId?: string;
}

export interface RecordOptions {
  /**
   * `'batched'` (default of {@link LedgerClient}): resolve once the event is queued; it is sent with
   * the next batch. `'immediate'`: send now and resolve only when the ledger acknowledged it.
   * The Kafka producer always waits for the broker's acknowledgement.
   */
  send?: 'batched' | 'immediate';
}
