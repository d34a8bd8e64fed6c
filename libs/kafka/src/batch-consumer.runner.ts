import type { Consumer, Kafka } from 'kafkajs';
import { createLogger, gauge, withConsumerBatchSpan } from '@agent-ledger/telemetry';
import { FETCH_MAX_WAIT_MS } from './consumer-host';
import type { PartitionBatch, StoredOffset } from './consumer-host.types';

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /**
   * Processes one partition's batch. Resolving means every message of the batch is done (its offsets
   * are then committed). Throwing means a transient failure: the same batch is retried with backoff,
   * without committing, until it succeeds or the consumer stops. Poison messages are the handler's to
   * divert (e.g. to a DLQ); a throw never skips a message.
   */
  handleBatch(batch: PartitionBatch): Promise<void>;
  /** Offsets kept outside Kafka (e.g. in PostgreSQL with the data); the consumer seeks there on assignment. */
  storedOffsets?(assigned: { topic: string; partitions: number[] }[]): Promise<StoredOffset[]>;
  partitionsConsumedConcurrently?: number;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  retryBackoffMs?: { initial: number; max: number };
}

const lagGauge = () => gauge('ledger_consumer_lag_messages', 'Messages behind the high watermark after the last batch', ['group', 'topic', 'partition']);

/**
 * @deprecated Use {@link ConsumerHost}: it isolates poison messages and rejoins its group.
 *
 * Drives a kafkajs consumer with eachBatch: per-partition batches, retry-until-done on transient
 * failure, resume from externally stored offsets on assignment, and a graceful stop that lets the
 * batch in flight finish before leaving the group.
 */
export class BatchConsumerRunner {
  private readonly log = createLogger(BatchConsumerRunner.name);
  private readonly consumer: Consumer;
  private running = false;
  private crashed?: Error;
  private assigned: { topic: string; partitions: number[] }[] = [];

  constructor(kafka: Kafka, private readonly opts: BatchConsumerOptions) {
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 1_048_576,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    const { GROUP_JOIN, CRASH, STOP } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      this.assigned = Object.entries(e.payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
      this.log.info({ groupId: opts.groupId, assignment: e.payload.memberAssignment }, 'partitions assigned');
      void this.seekToStoredOffsets();
    });
    this.consumer.on(CRASH, (e) => {
      this.crashed = e.payload.error;
      this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
    });
    this.consumer.on(STOP, () => this.log.info({ groupId: opts.groupId }, 'consumer stopped'));
  }

  get isRunning(): boolean {
    return this.running;
  }

  get assignment(): { topic: string; partitions: number[] }[] {
    return this.assigned;
  }

  get lastCrash(): Error | undefined {
    return this.crashed;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.opts.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.opts.fromBeginning ?? true });
    }
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        if (!batch.messages.length) return;
        const backoff = this.opts.retryBackoffMs ?? { initial: 200, max: 5_000 };
        let delay = backoff.initial;
        for (;;) {
          if (!isRunning() || isStale()) return;
          try {
            const handle = () => this.opts.handleBatch({ topic: batch.topic, partition: batch.partition, messages: batch.messages, highWatermark: batch.highWatermark, heartbeat });
            await withConsumerBatchSpan({ topic: batch.topic, partition: batch.partition, groupId: this.opts.groupId, messages: batch.messages }, handle);
            break;
          } catch (err) {
            this.log.warn({ err, topic: batch.topic, partition: batch.partition, retryInMs: delay }, 'batch failed; retrying');
            await sleep(delay);
            delay = Math.min(delay * 2, backoff.max);
            await heartbeat().catch(() => undefined);
          }
        }
        const last = batch.messages[batch.messages.length - 1];
        resolveOffset(last.offset);
        await commitOffsetsIfNecessary();
        const lag = BigInt(batch.highWatermark) - BigInt(last.offset) - 1n;
        lagGauge().set({ group: this.opts.groupId, topic: batch.topic, partition: String(batch.partition) }, Number(lag < 0n ? 0n : lag));
      },
    });
    this.running = true;
  }

  private async seekToStoredOffsets(): Promise<void> {
    if (!this.opts.storedOffsets) return;
    try {
      const offsets = await this.opts.storedOffsets(this.assigned);
      for (const o of offsets) this.consumer.seek(o);
      if (offsets.length) this.log.info({ offsets }, 'resumed from stored offsets');
    } catch (err) {
      // Not fatal: the handler still ignores anything at or below the stored offsets.
      this.log.warn({ err }, 'could not read stored offsets; resuming from committed offsets');
    }
  }

  /** Stops fetching, lets the batch in flight finish, commits, and leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) {
      await this.consumer.disconnect().catch(() => undefined);
      return;
    }
    this.running = false;
    await this.consumer.disconnect();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
