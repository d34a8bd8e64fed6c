import type { EachBatchPayload } from 'kafkajs';

/** The two functions of a kafkajs batch payload that commit: they act on the consumer's current generation. */
export type OffsetCommitter = Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'>;

/**
 * Commits a consumer's resolved offsets at most once per interval instead of after every batch.
 *
 * kafkajs with `autoCommit` sends an OffsetCommit after each batch it hands to `eachBatch`; over 12
 * partitions at a moderate rate that is one request per few events, in every group. With
 * `autoCommit` off and `autoCommitInterval` set, `commitOffsetsIfNecessary` commits only when the
 * interval has passed: batches call {@link due} after resolving, a timer calls it for the tail when
 * no batch comes, and {@link flush} commits everything resolved at stop and when a rebalance starts.
 *
 * The resolved offsets stay in kafkajs' offset manager, which belongs to one generation of the
 * group: after a rejoin it is new, so a member never commits a partition it lost. What is resolved
 * but not yet committed when a process dies is delivered again, which the handlers tolerate (they
 * are idempotent, and the projector keeps its offsets in PostgreSQL with the rows).
 */
export class OffsetCommits {
  private committer?: OffsetCommitter;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    readonly intervalMs: number,
    private readonly onError: (err: unknown, when: 'tail' | 'flush') => void,
  ) {}

  /** Remembers the latest batch's functions (call at the start of every batch) and starts the tail timer. */
  use(committer: OffsetCommitter): void {
    if (this.stopped) return;
    this.committer = committer;
    this.timer ??= setInterval(() => void this.due().catch((err: unknown) => this.onError(err, 'tail')), Math.max(50, Math.floor(this.intervalMs / 2)));
    this.timer.unref();
  }

  /** Commits the resolved offsets when the interval has passed since the last commit. */
  async due(): Promise<void> {
    await this.committer?.commitOffsetsIfNecessary();
  }

  /** Commits every resolved offset not yet committed, now. Errors are reported, not thrown. */
  async flush(): Promise<void> {
    const committer = this.committer;
    if (!committer) return;
    try {
      const { topics } = committer.uncommittedOffsets();
      if (topics.length) await committer.commitOffsetsIfNecessary({ topics });
    } catch (err) {
      this.onError(err, 'flush');
    }
  }

  /** Stops the timer and forgets the consumer for good (before it disconnects or is replaced). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.committer = undefined;
  }
}
