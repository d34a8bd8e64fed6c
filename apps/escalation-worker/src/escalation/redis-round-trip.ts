import type { ChainableCommander, Redis } from 'ioredis';

/** The answer of a queued command, readable once its round trip has run. */
export type Answer<T> = () => T;

/**
 * Commands sent to Redis together: queued in order, written in one pipeline and answered in one
 * round trip. Redis runs them one after the other, so a command sees what the ones queued before it
 * did (a window counts the batch's earlier events). Each command keeps its own atomicity (one Lua
 * script is atomic); the round trip as a whole is not a transaction.
 */
export class RedisRoundTrip {
  private readonly pipeline: ChainableCommander;
  private readonly answers: { parse: (raw: unknown) => unknown; value?: unknown }[] = [];
  private ran = false;

  constructor(redis: Redis) {
    this.pipeline = redis.pipeline();
  }

  get size(): number {
    return this.answers.length;
  }

  /** Queues a command (`queue` adds exactly one to the pipeline); `parse` turns its reply into the answer. */
  add<T>(queue: (p: ChainableCommander) => unknown, parse: (raw: unknown) => T): Answer<T> {
    if (this.ran) throw new Error('this round trip has already run');
    queue(this.pipeline);
    const slot: { parse: (raw: unknown) => unknown; value?: unknown } = { parse };
    this.answers.push(slot);
    return () => {
      if (!this.ran) throw new Error('the round trip has not run yet');
      return slot.value as T;
    };
  }

  /** Sends every queued command; throws the first command error (nothing is answered then). */
  async run(): Promise<void> {
    if (this.ran) throw new Error('this round trip has already run');
    this.ran = true;
    if (!this.answers.length) return;
    const replies = (await this.pipeline.exec()) ?? [];
    if (replies.length !== this.answers.length) throw new Error(`Redis answered ${replies.length} of ${this.answers.length} commands`);
    const failed = replies.find(([err]) => err);
    if (failed) throw failed[0];
    replies.forEach(([, raw], i) => (this.answers[i].value = this.answers[i].parse(raw)));
  }
}

/** Runs one command alone (its own round trip). */
export async function single<T>(redis: Redis, queue: (rt: RedisRoundTrip) => Answer<T>): Promise<T> {
  const rt = new RedisRoundTrip(redis);
  const answer = queue(rt);
  await rt.run();
  return answer();
}
