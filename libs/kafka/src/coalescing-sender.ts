import { splitForProduce, type EncodedMessage } from '@agent-ledger/contracts';
import type { LedgerProducer } from './producer';

/** The pending cap was reached: nothing of the request was handed to Kafka. */
export class SenderBusyError extends Error {
  constructor(pending: number) {
    super(`${pending} messages are already waiting for Kafka`);
    this.name = SenderBusyError.name;
  }
}

/** The deadline passed. `written` tells whether the messages may still reach Kafka (they were already sent). */
export class SendTimeoutError extends Error {
  constructor(readonly timeoutMs: number, readonly written: 'no' | 'maybe') {
    super(`no acknowledgement from Kafka within ${timeoutMs} ms${written === 'no' ? ' (nothing was sent)' : ''}`);
    this.name = SendTimeoutError.name;
  }
}

interface Waiting {
  messages: EncodedMessage[];
  started: boolean;
  settled: boolean;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface CoalescingSenderOptions {
  /** Messages queued or in flight beyond which a new send is refused at once. */
  maxPendingMessages: number;
  /** Timeout of one produce call at the broker. */
  produceTimeoutMs?: number;
}

/**
 * Sends the messages of concurrent callers to one topic through one idempotent producer, combining
 * what is waiting into produce calls of at most 512 KiB (in arrival order; one caller's messages stay
 * in order). Two bounds keep a Kafka hiccup from turning into a queue that never drains: callers
 * beyond `maxPendingMessages` are refused at once, and a caller whose deadline passes before its
 * messages were handed to Kafka is withdrawn from the queue — nothing of it is written later.
 */
export class CoalescingSender {
  private readonly queue: Waiting[] = [];
  private pendingMessages = 0;
  private draining = false;

  constructor(private readonly producer: LedgerProducer, private readonly topic: string, private readonly opts: CoalescingSenderOptions) {}

  /** Messages queued or in flight. */
  get pending(): number {
    return this.pendingMessages;
  }

  /** Resolves once Kafka acknowledged every message; rejects with SenderBusyError, SendTimeoutError or the producer's error. */
  send(messages: EncodedMessage[], timeoutMs: number): Promise<void> {
    if (!messages.length) return Promise.resolve();
    if (this.pendingMessages > 0 && this.pendingMessages + messages.length > this.opts.maxPendingMessages) {
      return Promise.reject(new SenderBusyError(this.pendingMessages));
    }
    this.pendingMessages += messages.length;
    return new Promise<void>((resolve, reject) => {
      const waiting: Waiting = {
        messages,
        started: false,
        settled: false,
        resolve: () => this.settle(waiting, () => resolve()),
        reject: (err) => this.settle(waiting, () => reject(err)),
        timer: setTimeout(() => {
          if (waiting.started) {
            reject(new SendTimeoutError(timeoutMs, 'maybe'));
            return;
          }
          const i = this.queue.indexOf(waiting);
          if (i >= 0) this.queue.splice(i, 1);
          waiting.reject(new SendTimeoutError(timeoutMs, 'no'));
        }, timeoutMs),
      };
      this.queue.push(waiting);
      void this.drain();
    });
  }

  private settle(waiting: Waiting, done: () => void): void {
    clearTimeout(waiting.timer);
    if (!waiting.settled) {
      waiting.settled = true;
      this.pendingMessages -= waiting.messages.length;
    }
    done();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.queue.length);
        for (const w of batch) w.started = true;
        try {
          for (const group of splitForProduce(batch.flatMap((w) => w.messages))) {
            await this.producer.send(this.topic, group, { timeoutMs: this.opts.produceTimeoutMs });
          }
          for (const w of batch) w.resolve();
        } catch (err) {
          for (const w of batch) w.reject(err as Error);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
