import {
  ACTION_EVENTS_DLQ_TOPIC,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_OFFSET_HEADER,
  DLQ_SOURCE_PARTITION_HEADER,
  DLQ_SOURCE_TOPIC_HEADER,
} from '@agent-ledger/contracts';
import type { KafkaMessage } from 'kafkajs';
import type { LedgerProducer } from './producer';

export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  reason: string;
}

/** Copies messages that cannot be processed to the DLQ topic, with the reason and origin in headers. */
export class DlqPublisher {
  constructor(private readonly producer: LedgerProducer, private readonly dlqTopic: string = ACTION_EVENTS_DLQ_TOPIC) {}

  async publish(letters: DeadLetter[]): Promise<void> {
    if (!letters.length) return;
    await this.producer.send(
      this.dlqTopic,
      letters.map((l) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(l.message.headers ?? {})) {
          if (v !== undefined) headers[k] = (Array.isArray(v) ? v[0] : v)?.toString() ?? '';
        }
        headers[DLQ_REASON_HEADER] = l.reason.slice(0, 2_000);
        headers[DLQ_SOURCE_TOPIC_HEADER] = l.topic;
        headers[DLQ_SOURCE_PARTITION_HEADER] = String(l.partition);
        headers[DLQ_SOURCE_OFFSET_HEADER] = l.message.offset;
        return { key: l.message.key?.toString() ?? '', value: l.message.value ?? Buffer.alloc(0), headers };
      }),
    );
  }
}
