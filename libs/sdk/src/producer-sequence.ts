import { randomUUID } from 'node:crypto';
import type { ProducerStamp } from '@agent-ledger/contracts';

/**
 * The producer stamp of one SDK client (docs/sdk.md, "Producer stamp"): one `id` (a UUID) per client
 * instance and `seq` counting the events it sends from 1, with no holes, so that the ledger can list
 * the numbers that never arrived (`GET /v1/integrity/loss`).
 *
 * A number is read with {@link peek} while an event is prepared and consumed with {@link take} only
 * once the event is accepted for sending: an event the client refuses (invalid, too large, queue full)
 * leaves no hole. Single-threaded callers peek and take within one synchronous step.
 */
export class ProducerSequence {
  private last = 0;

  constructor(readonly id: string = randomUUID()) {}

  /** The stamp of the event `offset` places after the next one; consumes nothing. */
  peek(offset = 0): ProducerStamp {
    return { id: this.id, seq: this.last + 1 + offset };
  }

  /** Consumes the next `count` numbers (the events peeked at were accepted). */
  take(count = 1): void {
    this.last += count;
  }

  /** The last number consumed (0 before the first event). */
  get lastSeq(): number {
    return this.last;
  }
}
