import type { ActionEventInput } from '@agent-ledger/contracts';
import { EventRecorder } from './event-recorder';
import { LedgerError, LedgerErrorCode } from './ledger-error';
import type { LedgerEventInput, RecordOptions } from './ledger-events';
import { LedgerHttpTransport } from './ledger-http.transport';
import { prepareEvent, unstamped } from './prepare-event';

/** Limits of one `POST /v1/events` request. */
export const MAX_EVENTS_PER_REQUEST = 1_000;
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** `{"events":[` + `]}`: what the envelope adds to the events' JSON. */
const ENVELOPE_BYTES = Buffer.byteLength('{"events":[]}');

export interface LedgerClientOptions {
  /** Base URL of the ingest API, e.g. `http://127.0.0.1:3100`. */
  url: string;
  /** A tenant API key with scope `ingest`; sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** Events per request, 1–1,000. Default 100. */
  batchSize?: number;
  /** How long an event may wait for a batch to fill before it is sent. Default 200 ms. */
  flushIntervalMs?: number;
  /** Retries of a request after the first attempt (transient failures only). Default 6. */
  maxRetries?: number;
  /** Per-attempt timeout, response body included. Default 10,000 ms. */
  timeoutMs?: number;
  /** Default delivery of `record()` and the helpers. Default `'batched'`. */
  send?: 'batched' | 'immediate';
  /** Backoff: delay cap of the first retry. Default 100 ms (doubles per retry, with jitter). */
  retryBaseDelayMs?: number;
  /** Backoff: upper bound of a delay. Default 5,000 ms. */
  retryMaxDelayMs?: number;
  /** Upper bound of a honoured `Retry-After`. Default 60,000 ms. */
  maxRetryAfterMs?: number;
  /** Request body limit (the server's is 1 MiB); batches are split to stay under it. Default 1 MiB. */
  maxRequestBytes?: number;
  /** Events waiting to be sent before `record()` rejects with `queue_full`. Default 100,000. */
  maxQueueSize?: number;
  /** Validate each event against schema v1 when it is recorded. Default true. */
  validate?: boolean;
  /**
   * Stamp each event with `producer: { id, seq }` (this client's id and its sequence number, from 1
   * without holes) so that the ledger accounts for lost events. Default true.
   */
  producerStamp?: boolean;
  /**
   * Called when a batch sent in the background (by the timer or a full batch) fails for good.
   * The failure is also thrown by the next `flush()` / `close()`.
   */
  onError?: (error: LedgerError) => void;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: LedgerError) => void;
}

interface PendingEvent {
  event: ActionEventInput;
  json: string;
  bytes: number;
  /** Order of recording, from 1. */
  seq: number;
  /** Set when a caller awaits this event's acknowledgement (`send: 'immediate'`). */
  ack?: Deferred;
}

/**
 * Records action events over HTTP (`POST /v1/events`). Events get their `eventId` when recorded,
 * wait in a queue, and are sent in order, one request at a time, in batches of `batchSize`
 * (at most 1,000 events and 1 MiB per request). A batch that fails transiently is retried with
 * backoff with the same `eventId`s, so the ledger stores each event once.
 *
 * Call `close()` (or `flush()`) before the process exits: it resolves when everything recorded was
 * acknowledged (202) and throws a {@link LedgerError} otherwise.
 */
export class LedgerClient extends EventRecorder {
  private readonly transport: LedgerHttpTransport;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxRequestBytes: number;
  private readonly maxQueueSize: number;
  private readonly defaultSend: 'batched' | 'immediate';
  private readonly validate: boolean;
  private readonly onError?: (error: LedgerError) => void;

  private readonly queue: PendingEvent[] = [];
  private lastSeq = 0;
  /** Every queued event with `seq` at most this is due now, even in a partial batch. */
  private dueThrough = 0;
  /** `seq` of the first event of the request in flight. */
  private inFlightFrom?: number;
  private pumping?: Promise<void>;
  private timer?: NodeJS.Timeout;
  /** Background failures not yet reported by `flush()`. */
  private failures: LedgerError[] = [];
  private closed = false;

  constructor(options: LedgerClientOptions) {
    super(options?.producerStamp ?? true);
    if (!options || typeof options.url !== 'string' || !/^https?:\/\//.test(options.url)) {
      throw new TypeError('LedgerClient: url must be an http(s) URL, e.g. http://127.0.0.1:3100');
    }
    if (typeof options.apiKey !== 'string' || options.apiKey === '') throw new TypeError('LedgerClient: apiKey is required');
    this.batchSize = integerOption('batchSize', options.batchSize ?? 100, 1, MAX_EVENTS_PER_REQUEST);
    this.flushIntervalMs = integerOption('flushIntervalMs', options.flushIntervalMs ?? 200, 0);
    this.maxRequestBytes = integerOption('maxRequestBytes', options.maxRequestBytes ?? MAX_REQUEST_BYTES, ENVELOPE_BYTES + 2, MAX_REQUEST_BYTES);
    this.maxQueueSize = integerOption('maxQueueSize', options.maxQueueSize ?? 100_000, 1);
    this.defaultSend = options.send ?? 'batched';
    this.validate = options.validate ?? true;
    this.onError = options.onError;
    this.transport = new LedgerHttpTransport({
      url: options.url,
      apiKey: options.apiKey,
      maxRetries: integerOption('maxRetries', options.maxRetries ?? 6, 0),
      timeoutMs: integerOption('timeoutMs', options.timeoutMs ?? 10_000, 1),
      retryBaseDelayMs: integerOption('retryBaseDelayMs', options.retryBaseDelayMs ?? 100, 0),
      retryMaxDelayMs: integerOption('retryMaxDelayMs', options.retryMaxDelayMs ?? 5_000, 0),
      maxRetryAfterMs: integerOption('maxRetryAfterMs', options.maxRetryAfterMs ?? 60_000, 0),
    });
  }

  /**
   * Validates and queues an event; resolves to its `eventId`. With `send: 'immediate'` the event
   * (and whatever was queued before it) is sent now, and the promise resolves only once the ledger
   * acknowledged it.
   *
   * @throws LedgerError `invalid_event`, `event_too_large`, `queue_full` or `client_closed` (nothing
   *   queued); with `send: 'immediate'`, also the delivery failure.
   */
  async record(input: LedgerEventInput, options: RecordOptions = {}): Promise<string> {
    if (this.closed) throw new LedgerError({ code: LedgerErrorCode.ClientClosed, message: 'the LedgerClient is closed' });
    // The number is consumed only once the event is queued: a refused event leaves no hole.
    const { event, json, stamped } = prepareEvent(input, { now: new Date(), validate: this.validate, producer: this.sequence?.peek() });
    const refused = () => (stamped ? unstamped(event) : event);
    const bytes = Buffer.byteLength(json);
    if (bytes + ENVELOPE_BYTES > this.maxRequestBytes) {
      throw new LedgerError({
        code: LedgerErrorCode.EventTooLarge,
        message: `event ${event.eventId} is ${bytes} bytes as JSON; a request may carry at most ${this.maxRequestBytes}`,
        fields: [{ pointer: '', code: 'tooLarge', message: `event must be at most ${this.maxRequestBytes - ENVELOPE_BYTES} bytes as JSON` }],
        events: [refused()],
      });
    }
    if (this.queue.length >= this.maxQueueSize) {
      throw new LedgerError({
        code: LedgerErrorCode.QueueFull,
        message: `${this.queue.length} events are waiting to be sent (maxQueueSize); the ledger may be unreachable`,
        retryable: true,
        events: [refused()],
      });
    }
    if (stamped) this.sequence?.take();

    const pending: PendingEvent = { event, json, bytes, seq: ++this.lastSeq };
    this.queue.push(pending);
    if ((options.send ?? this.defaultSend) === 'immediate') {
      pending.ack = deferred();
      this.dueThrough = Math.max(this.dueThrough, pending.seq);
      void this.pump();
      await pending.ack.promise;
    } else if (this.queue.length >= this.batchSize) {
      void this.pump();
    } else {
      this.armTimer();
    }
    return event.eventId as string;
  }

  /**
   * Sends everything recorded so far and resolves when the ledger acknowledged all of it.
   * @throws LedgerError the first failure since the last `flush()` (others in `alsoFailed`); the
   *   events of failed requests are in `events` and may be recorded again.
   */
  async flush(): Promise<void> {
    const through = this.lastSeq;
    this.dueThrough = Math.max(this.dueThrough, through);
    while ((this.queue[0]?.seq ?? Infinity) <= through || (this.inFlightFrom ?? Infinity) <= through) {
      await this.pump();
    }
    const failures = this.failures;
    this.failures = [];
    if (failures.length) {
      const [first, ...rest] = failures;
      throw rest.length ? first.with({ alsoFailed: rest }) : first;
    }
  }

  /** Stops accepting events, flushes, and stops the timer. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.flush();
    } finally {
      this.clearTimer();
    }
  }

  /** Events waiting to be sent (the request in flight is not counted). */
  get queued(): number {
    return this.queue.length;
  }

  private armTimer(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueThrough = Math.max(this.dueThrough, this.lastSeq);
      void this.pump();
    }, this.flushIntervalMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts the sender loop unless it runs; never rejects. */
  private pump(): Promise<void> {
    this.pumping ??= this.drain().finally(() => {
      this.pumping = undefined;
      // What is left is a partial batch that is not due yet: send it when the interval elapses.
      this.armTimer();
    });
    return this.pumping;
  }

  /** Sends full batches, and partial ones while their events are due; one request at a time. */
  private async drain(): Promise<void> {
    for (;;) {
      const head = this.queue[0];
      if (!head || (this.queue.length < this.batchSize && head.seq > this.dueThrough)) return;
      await this.deliver(this.takeBatch());
    }
  }

  /** Takes the next request's events: at most `batchSize` events and `maxRequestBytes` bytes. */
  private takeBatch(): PendingEvent[] {
    let size = ENVELOPE_BYTES;
    let count = 0;
    while (count < this.queue.length && count < this.batchSize) {
      const next = this.queue[count].bytes + (count > 0 ? 1 : 0);
      if (count > 0 && size + next > this.maxRequestBytes) break;
      size += next;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async deliver(batch: PendingEvent[]): Promise<void> {
    this.inFlightFrom = batch[0].seq;
    try {
      await this.transport.send(`{"events":[${batch.map((p) => p.json).join(',')}]}`);
      for (const p of batch) p.ack?.resolve();
    } catch (err) {
      const error = (err instanceof LedgerError ? err : new LedgerError({ code: LedgerErrorCode.NetworkError, message: String(err), cause: err })).with({
        events: batch.map((p) => p.event),
      });
      for (const p of batch) p.ack?.reject(error);
      if (batch.some((p) => !p.ack)) {
        this.failures.push(error);
        try {
          this.onError?.(error);
        } catch {
          // A failing error callback must not stop delivery of the remaining events.
        }
      }
    } finally {
      this.inFlightFrom = undefined;
    }
  }
}

function integerOption(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`LedgerClient: ${name} must be an integer from ${min} to ${max} (is ${value})`);
  }
  return value;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: LedgerError) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
