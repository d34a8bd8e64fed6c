import {
  ACTION_EVENTS_DLQ_TOPIC,
  DLQ_CODE_HEADER,
  DLQ_ERROR_CLASS_HEADER,
  DLQ_GROUP_HEADER,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_OFFSET_HEADER,
  DLQ_SOURCE_PARTITION_HEADER,
  DLQ_SOURCE_TOPIC_HEADER,
  DLQ_TENANT_HEADER,
  ESCALATIONS_DLQ_TOPIC,
} from '@agent-ledger/contracts';
import type { Kafka } from '@agent-ledger/kafka';
import { commitGroupAtTopicEnd } from '@agent-ledger/testing';
import type { Consumer } from 'kafkajs';

/** A letter read back from a dead-letter topic, headers decoded. */
export interface ReadLetter {
  dlqTopic: string;
  group: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  code: string;
  errorClass: string;
  reason: string;
  tenant?: string;
  value: Buffer | null;
}

/**
 * Reads both dead-letter topics (and, when asked, other topics: their values land in `values`)
 * from their current end, in a group of its own.
 */
export class DlqReader {
  readonly letters: ReadLetter[] = [];
  readonly values: { topic: string; value: string }[] = [];
  private consumer?: Consumer;

  constructor(private readonly kafka: Kafka, private readonly groupId: string, private readonly alsoRead: string[] = []) {}

  async start(): Promise<void> {
    for (const topic of [ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC, ...this.alsoRead]) await commitGroupAtTopicEnd(this.kafka, this.groupId, topic);
    this.consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC, ...this.alsoRead] });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (this.alsoRead.includes(topic)) {
          this.values.push({ topic, value: message.value?.toString() ?? '' });
          return;
        }
        const h = (name: string) => message.headers?.[name]?.toString();
        this.letters.push({
          dlqTopic: topic,
          group: h(DLQ_GROUP_HEADER) ?? '',
          sourceTopic: h(DLQ_SOURCE_TOPIC_HEADER) ?? '',
          sourcePartition: Number(h(DLQ_SOURCE_PARTITION_HEADER)),
          sourceOffset: h(DLQ_SOURCE_OFFSET_HEADER) ?? '',
          code: h(DLQ_CODE_HEADER) ?? '',
          errorClass: h(DLQ_ERROR_CLASS_HEADER) ?? '',
          reason: h(DLQ_REASON_HEADER) ?? '',
          tenant: h(DLQ_TENANT_HEADER),
          value: message.value,
        });
      },
    });
  }

  /** Letters of one source position (any group). */
  of(sourceTopic: string, partition: number, offset: string): ReadLetter[] {
    return this.letters.filter((l) => l.sourceTopic === sourceTopic && l.sourcePartition === partition && l.sourceOffset === offset);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
