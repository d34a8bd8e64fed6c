import { randomUUID } from 'node:crypto';
import type { EventType } from '@agent-ledger/contracts';
import { argsHash, inputHash } from './argument-hash';
import type {
  AttemptedEvent,
  CancelledEvent,
  ChangeRecordedEvent,
  ConfirmedEvent,
  ExecutedEvent,
  FailedEvent,
  LedgerEventInput,
  MessageEvent,
  RecordOptions,
  SignalEvent,
  TaskEvent,
  TaskFailedEvent,
} from './ledger-events';
import { ProducerSequence } from './producer-sequence';

/**
 * The typed helpers, one per event type of schema v1, shared by the HTTP client and the Kafka
 * producer. Each helper sets `type` and delegates to {@link EventRecorder.record}; every helper but
 * `attempted` resolves to the event's `eventId`.
 */
export abstract class EventRecorder {
  /** Stamps each event with `producer: { id, seq }` (docs/sdk.md); absent when turned off (`producerStamp: false`). */
  protected readonly sequence?: ProducerSequence;

  constructor(producerStamp = true) {
    if (producerStamp) this.sequence = new ProducerSequence();
  }

  /** This client's producer id (a UUID, one per instance), or undefined when stamping is off. */
  get producerId(): string | undefined {
    return this.sequence?.id;
  }

  /** The last sequence number given to an event (0 before the first), or undefined when stamping is off. */
  get lastProducerSeq(): number | undefined {
    return this.sequence?.lastSeq;
  }

  /**
   * Records any event of schema v1. Resolves to its `eventId`.
   * @throws LedgerError `invalid_event` (with the invalid fields) when it fails local validation.
   */
  abstract record(event: LedgerEventInput, options?: RecordOptions): Promise<string>;

  /** Resolves when everything recorded so far was acknowledged; throws a `LedgerError` otherwise. */
  abstract flush(): Promise<void>;

  /** Flushes, then releases connections and timers. Recording afterwards is an error. */
  abstract close(): Promise<void>;

  /** `action.attempted`. Resolves to the `actionId` (generated when absent): pass it to the later stages. */
  async attempted(event: AttemptedEvent, options?: RecordOptions): Promise<string> {
    const actionId = event.actionId ?? randomUUID();
    await this.record({ ...event, type: 'action.attempted', actionId }, options);
    return actionId;
  }

  /**
   * `action.confirmed`: approved (name the approver in `approval.approvedBy`) or confirmed by the
   * customer. With `input` (what the approver saw), `approval.argsHash` is its hash unless given.
   */
  confirmed(event: ConfirmedEvent, options?: RecordOptions): Promise<string> {
    const bound = event.input !== undefined && event.approval.argsHash === undefined ? { ...event, approval: { ...event.approval, argsHash: argsHash(event.input) } } : event;
    return this.typed('action.confirmed', bound, options);
  }

  /** `action.executed`, with the result and duration. With `input` (what ran), `inputHash` is its hash unless given. */
  executed(event: ExecutedEvent, options?: RecordOptions): Promise<string> {
    const bound = event.input !== undefined && event.inputHash === undefined ? { ...event, inputHash: inputHash(event.input) } : event;
    return this.typed('action.executed', bound, options);
  }

  /** `action.failed`, with the error. */
  failed(event: FailedEvent, options?: RecordOptions): Promise<string> {
    return this.typed('action.failed', event, options);
  }

  /** `action.cancelled`: a rejected or expired approval, or the customer cancelled. */
  cancelled(event: CancelledEvent, options?: RecordOptions): Promise<string> {
    return this.typed('action.cancelled', event, options);
  }

  /** `signal.handoff_requested`: the customer asked for a human. */
  handoffRequested(event: SignalEvent, options?: RecordOptions): Promise<string> {
    return this.typed('signal.handoff_requested', event, options);
  }

  /** `signal.agent_handoff`: one agent passed the conversation to another. */
  agentHandoff(event: SignalEvent, options?: RecordOptions): Promise<string> {
    return this.typed('signal.agent_handoff', event, options);
  }

  /** `signal.permission_denied`. */
  permissionDenied(event: SignalEvent, options?: RecordOptions): Promise<string> {
    return this.typed('signal.permission_denied', event, options);
  }

  /** `signal.rate_limited`. */
  rateLimited(event: SignalEvent, options?: RecordOptions): Promise<string> {
    return this.typed('signal.rate_limited', event, options);
  }

  /** `signal.budget_exceeded`. */
  budgetExceeded(event: SignalEvent, options?: RecordOptions): Promise<string> {
    return this.typed('signal.budget_exceeded', event, options);
  }

  /** `change.recorded`: a configuration or resource change, with `resource` and `changes`. */
  changeRecorded(event: ChangeRecordedEvent, options?: RecordOptions): Promise<string> {
    return this.typed('change.recorded', event, options);
  }

  /** `message.recorded`: a message of the conversation (role, content, optional tokens and model). */
  message(event: MessageEvent, options?: RecordOptions): Promise<string> {
    return this.typed('message.recorded', event, options);
  }

  /** `task.queued`: a task was queued. */
  taskQueued(event: TaskEvent, options?: RecordOptions): Promise<string> {
    return this.typed('task.queued', event, options);
  }

  /** `task.completed`, with the output and duration. */
  taskCompleted(event: TaskEvent, options?: RecordOptions): Promise<string> {
    return this.typed('task.completed', event, options);
  }

  /** `task.failed`, with the error. */
  taskFailed(event: TaskFailedEvent, options?: RecordOptions): Promise<string> {
    return this.typed('task.failed', event, options);
  }

  private typed(type: EventType, event: object, options?: RecordOptions): Promise<string> {
    // `type` last: the helper decides the type, whatever the argument carries.
    return this.record({ ...event, type } as LedgerEventInput, options);
  }
}
