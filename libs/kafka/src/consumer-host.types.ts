import type { KafkaMessage } from 'kafkajs';
import type { DeadLetterClass, DlqPublisher } from './dlq';
import type { ErrorClass } from './error-classification';
import type { Backoff } from './poison-isolation';

export interface PartitionBatch {
  topic: string;
  partition: number;
  /** A slice of the partition's fetched messages, in offset order. */
  messages: KafkaMessage[];
  highWatermark: string;
  /** Keep the group membership alive during long work. */
  heartbeat(): Promise<void>;
}

/** A message a handler refuses before applying it (unreadable, invalid, unknown tenant). */
export interface Rejection {
  message: KafkaMessage;
  code: string;
  reason: string;
  errorClass?: DeadLetterClass;
}

export interface ConsumerBatch extends PartitionBatch {
  /** Sends refused messages to the topic's dead-letter topic now (resolves once the broker has them). */
  deadLetter(rejections: Rejection[]): Promise<void>;
}

export interface StoredOffset {
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: string;
}

export interface ConsumerHostOptions {
  /** Names the consumer in logs and health reports. */
  name: string;
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /**
   * Applies a slice of one partition's messages. Resolving means every message of the slice is done;
   * throwing fails the slice, which the host retries, bisects or dead-letters by the error's class.
   * A slice may be applied again (after a failure or a restart): handlers are idempotent.
   */
  handle(batch: ConsumerBatch): Promise<void>;
  /** Offsets kept outside Kafka (e.g. in PostgreSQL with the data): the consumer seeks there on assignment. */
  storedOffsets?(assigned: { topic: string; partitions: number[] }[]): Promise<StoredOffset[]>;
  /** Records progress past a message the host dead-lettered, where offsets are kept with the data. */
  skipped?(position: StoredOffset): Promise<void>;
  /** Overrides the classification of errors the handler knows (undefined: the default rules). */
  classify?(err: unknown): ErrorClass | undefined;
  /**
   * What happens to a message isolated as poison: `dead-letter` (default) sends it to its topic's
   * dead-letter topic; `skip` logs and counts it and moves on — for consumers of the dead-letter
   * topics themselves, whose messages stay where they are.
   */
  poison?: 'dead-letter' | 'skip';
  /** Publisher of dead letters (default: one on its own producer). */
  dlq?: DlqPublisher;
  partitionsConsumedConcurrently?: number;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  retry?: Backoff;
  /** Failures of an unclassified error before a lone message is dead-lettered (default 5). */
  maxAttempts?: number;
  /** A partition failing or not moving this long is stuck (default 60 s). */
  stuckAfterMs?: number;
  /** Liveness fails when the consumer has been down this long after it ran (default 2 min). */
  livenessAfterMs?: number;
  /**
   * Offsets are committed at most this often (default 1 s), and at stop and when a rebalance starts;
   * what is resolved in between is delivered again after a crash. 0 commits after every slice.
   */
  commitIntervalMs?: number;
  /** How often the group's committed offsets and the partitions' ends are read (default 10 s). */
  lagPollMs?: number;
}
