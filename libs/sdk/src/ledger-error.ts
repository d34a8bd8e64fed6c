import type { ActionEventInput, FieldError } from '@agent-ledger/contracts';

/**
 * Codes the SDK itself assigns. Errors answered by the ledger keep the server's own code (for
 * example `unauthorized` or `invalid_event` on a 400), so `LedgerError.code` is a `string`.
 */
export const LedgerErrorCode = {
  /** The event failed local validation against schema v1; nothing was sent. */
  InvalidEvent: 'invalid_event',
  /** One event is larger than a whole request may be (1 MiB by default); nothing was sent. */
  EventTooLarge: 'event_too_large',
  /** The client's queue is full (the ledger has been unreachable for a while); the event was not queued. */
  QueueFull: 'queue_full',
  /** `record()` after `close()`. */
  ClientClosed: 'client_closed',
  /** The connection failed or was reset before a response arrived. */
  NetworkError: 'network_error',
  /** No response within `timeoutMs`. */
  Timeout: 'timeout',
  /** An error status whose body is not the ledger's error shape; `status` holds the HTTP status. */
  UnexpectedResponse: 'unexpected_response',
  /** Producing to Kafka failed (direct mode). */
  KafkaError: 'kafka_error',
  /** Direct mode was configured with brokers but the optional peer dependency `kafkajs` is missing. */
  KafkaNotInstalled: 'kafkajs_not_installed',
} as const;
export type LedgerErrorCode = (typeof LedgerErrorCode)[keyof typeof LedgerErrorCode];

export interface LedgerErrorDetails {
  code: string;
  message: string;
  /** HTTP status of the last response, when there was one. */
  status?: number;
  /** Invalid fields, as JSON pointers. From the server they are relative to the request body
   * (`/events/3/tool/riskLevel`, where 3 indexes {@link LedgerError.events}); from local validation
   * they are relative to the event (`/tool/riskLevel`). */
  fields?: readonly FieldError[];
  /** Whether sending the same events again may succeed (the client already retried as configured). */
  retryable?: boolean;
  /** How many requests were made before giving up (0 when nothing was sent). */
  attempts?: number;
  /** The events that were not acknowledged, in request order. Re-recording them is safe: their
   * `eventId`s make the ledger ignore any that did arrive. */
  events?: readonly ActionEventInput[];
  /** Further failures reported by the same `flush()` / `close()` call. */
  alsoFailed?: readonly LedgerError[];
  cause?: unknown;
}

/** Every failure of the SDK: local validation, the server's error answer, or transport trouble. */
export class LedgerError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly fields: readonly FieldError[];
  readonly retryable: boolean;
  readonly attempts: number;
  readonly events: readonly ActionEventInput[];
  readonly alsoFailed: readonly LedgerError[];

  constructor(details: LedgerErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LedgerError';
    this.code = details.code;
    this.status = details.status;
    this.fields = details.fields ?? [];
    this.retryable = details.retryable ?? false;
    this.attempts = details.attempts ?? 0;
    this.events = details.events ?? [];
    this.alsoFailed = details.alsoFailed ?? [];
  }

  /** A copy with some details replaced. */
  with(details: Partial<LedgerErrorDetails>): LedgerError {
    return new LedgerError({
      code: this.code,
      message: this.message,
      status: this.status,
      fields: this.fields,
      retryable: this.retryable,
      attempts: this.attempts,
      events: this.events,
      alsoFailed: this.alsoFailed,
      cause: this.cause,
      ...details,
    });
  }
}
