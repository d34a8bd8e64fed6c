export { LedgerClient, MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES, type LedgerClientOptions } from './ledger-client';
export {
  LedgerKafkaProducer,
  type KafkaLike,
  type KafkaProducerLike,
  type KafkaProducerRecordLike,
  type LedgerKafkaProducerOptions,
  type LedgerKafkaSasl,
} from './ledger-kafka.producer';
export { EventRecorder } from './event-recorder';
export { errorOf, runAction, type RunActionOptions } from './action-run';
export { argsHash, inputHash } from './argument-hash';
export { LedgerError, LedgerErrorCode, type LedgerErrorDetails } from './ledger-error';
export type {
  AttemptedEvent,
  CancelledEvent,
  ChangeRecordedEvent,
  ConfirmedEvent,
  EventContext,
  ExecutedEvent,
  FailedEvent,
  LedgerEventInput,
  MessageEvent,
  RecordOptions,
  SignalEvent,
  TaskEvent,
  TaskFailedEvent,
} from './ledger-events';
export { SDK_VERSION } from './version';

// The schema v1 vocabulary, so that users of the SDK need no second package.
export { ACTION_EVENTS_TOPIC, CHANGE_ACTIONS, EVENT_TYPES, MESSAGE_ROLES } from '@agent-ledger/contracts';
export type {
  ActionError,
  ActionEvent,
  ActionEventInput,
  Actor,
  AgentRef,
  Approval,
  ApprovalDecision,
  Budget,
  ChangeAction,
  Changes,
  ChatMessage,
  DataSubject,
  EventType,
  FieldError,
  MessageRole,
  PlanRef,
  ProducerStamp,
  ResourceRef,
  RiskLevel,
  ToolRef,
} from '@agent-ledger/contracts';

// Escalations: what a subscriber of agent-ledger.escalations.v1 reads (docs/events.md), and the
// names and header values of the topics, so that a consumer needs no second package.
export {
  ACTION_EVENT_SCHEMA_VERSION,
  ACTION_EVENTS_DLQ_TOPIC,
  CHECKPOINTS_TOPIC,
  ESCALATION_EVENT_SCHEMA_VERSION,
  ESCALATION_EVENT_TYPES,
  ESCALATION_REASONS,
  ESCALATION_SCOPES,
  ESCALATIONS_DLQ_TOPIC,
  ESCALATIONS_TOPIC,
  SCHEMA_VERSION_HEADER,
  SEVERITIES,
  TRACEPARENT_HEADER,
  actionEventKey,
  escalationEventKey,
  escalationsCodec,
  validateEscalationEvent,
} from '@agent-ledger/contracts';
export type {
  DecodeResult,
  EscalationAcknowledgedEvent,
  EscalationEvent,
  EscalationEventBase,
  EscalationEventMeta,
  EscalationEventType,
  EscalationOpenedEvent,
  EscalationReason,
  EscalationResolvedEvent,
  EscalationScope,
  EscalationUpdatedEvent,
  IncomingMessage,
  Severity,
  ValidationResult,
} from '@agent-ledger/contracts';
