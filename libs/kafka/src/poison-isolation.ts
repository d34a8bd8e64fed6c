import type { KafkaMessage } from 'kafkajs';
import type { ErrorClass } from './error-classification';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** What {@link applyInOrder} needs from its host; every callback may throw a membership error, which ends the batch. */
export interface IsolationSteps {
  /** Applies a slice of the partition's messages (in offset order). Throws to fail the slice. */
  handle(messages: KafkaMessage[]): Promise<void>;
  classify(err: unknown): ErrorClass;
  /** Sends one isolated message to the dead-letter topic (throws when that is not possible now). */
  deadLetter(message: KafkaMessage, err: unknown, cls: 'data' | 'unknown'): Promise<void>;
  /** Everything up to and including `lastOffset` is done (applied or dead-lettered). */
  progressed(lastOffset: string): Promise<void>;
  /** A slice failed and will be retried after `retryInMs` (for logs and stuck detection). */
  failed(err: unknown, cls: ErrorClass, messages: KafkaMessage[], retryInMs: number): void;
  /** False once the consumer stops or the partition was revoked: the rest is left uncommitted. */
  shouldContinue(): boolean;
  /** Keeps the group membership alive during backoff. */
  heartbeat(): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Failures of an unclassified error before a slice is split, and before a lone message is dead-lettered. */
  maxAttempts: number;
  backoff: Backoff;
}

interface Slice {
  messages: KafkaMessage[];
  /** Split because of an unclassified failure: it is split again at its first such failure. */
  suspect: boolean;
}

/**
 * Applies one partition's messages in order, isolating poison:
 * - a slice that fails with a data error is split in two (bisection) until the bad message is
 *   alone, which is dead-lettered; the rest goes on in order, so every other message is applied once;
 * - a transient error retries the same slice with backoff, skipping nothing, for as long as it lasts;
 * - an unclassified error is retried like a transient one `maxAttempts` times, then the slice is
 *   bisected; a lone message failing `maxAttempts` times is dead-lettered;
 * - a membership error ends the batch (thrown) so the consumer can rejoin its group.
 * Returns false when stopped before the end (what was not reported through `progressed` stays uncommitted).
 */
export async function applyInOrder(messages: KafkaMessage[], steps: IsolationSteps): Promise<boolean> {
  const slices: Slice[] = messages.length ? [{ messages, suspect: false }] : [];
  let attempts = 0;
  let delay = steps.backoff.initialMs;
  const rest = async (err: unknown, cls: ErrorClass, slice: Slice) => {
    steps.failed(err, cls, slice.messages, delay);
    await steps.sleep(delay);
    delay = Math.min(delay * 2, steps.backoff.maxMs);
    await steps.heartbeat().catch((e: unknown) => {
      if (steps.classify(e) === 'membership') throw e;
    });
  };

  while (slices.length) {
    if (!steps.shouldContinue()) return false;
    const slice = slices[0];
    try {
      await steps.handle(slice.messages);
    } catch (err) {
      const cls = steps.classify(err);
      if (cls === 'membership') throw err;
      if (cls === 'transient') {
        await rest(err, cls, slice);
        continue;
      }
      attempts += 1;
      const isolate = cls === 'data' || slice.suspect || attempts >= steps.maxAttempts;
      if (isolate && slice.messages.length > 1) {
        const half = Math.ceil(slice.messages.length / 2);
        const suspect = cls !== 'data';
        slices.splice(0, 1, { messages: slice.messages.slice(0, half), suspect }, { messages: slice.messages.slice(half), suspect });
        attempts = 0;
        continue;
      }
      if (cls === 'data' || attempts >= steps.maxAttempts) {
        if (!(await deadLetterUntilDone(slice.messages[0], err, cls === 'data' ? 'data' : 'unknown', steps))) return false;
        slices.shift();
        attempts = 0;
        delay = steps.backoff.initialMs;
        continue;
      }
      await rest(err, cls, slice);
      continue;
    }
    slices.shift();
    attempts = 0;
    delay = steps.backoff.initialMs;
    await steps.progressed(slice.messages[slice.messages.length - 1].offset);
  }
  return true;
}

/** Dead-letters one message, retrying while the dead-letter topic cannot be reached; then reports progress. False when stopped first. */
async function deadLetterUntilDone(message: KafkaMessage, cause: unknown, cls: 'data' | 'unknown', steps: IsolationSteps): Promise<boolean> {
  let delay = steps.backoff.initialMs;
  for (;;) {
    try {
      await steps.deadLetter(message, cause, cls);
      break;
    } catch (err) {
      if (steps.classify(err) === 'membership') throw err;
      if (!steps.shouldContinue()) return false;
      steps.failed(err, 'transient', [message], delay);
      await steps.sleep(delay);
      delay = Math.min(delay * 2, steps.backoff.maxMs);
      await steps.heartbeat().catch(() => undefined);
    }
  }
  await steps.progressed(message.offset);
  return true;
}
