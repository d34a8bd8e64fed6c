import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { ApiError, KAFKA } from '@agent-ledger/runtime';
import type { ReplayRecord } from './dead-letters.repository';

/** Republishes dead letters to the topics they were read from: original key, value and headers. */
@Injectable()
export class DeadLettersProducer implements OnApplicationShutdown {
  private readonly producer: LedgerProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LedgerProducer(kafka);
  }

  /** Resolves once the broker acknowledged every letter; 503 when the topics are unavailable. */
  async republish(letters: ReplayRecord[]): Promise<void> {
    const byTopic = new Map<string, ReplayRecord[]>();
    for (const l of letters) byTopic.set(l.source_topic, [...(byTopic.get(l.source_topic) ?? []), l]);
    try {
      for (const [topic, list] of byTopic) {
        await this.producer.send(
          topic,
          list.map((l) => ({ key: l.message_key ?? '', value: l.message_value ?? Buffer.alloc(0), headers: { ...l.message_headers } })),
          { timeoutMs: 8_000 },
        );
      }
    } catch {
      throw ApiError.unavailable('kafka_unavailable', 'the source topics are unavailable; nothing was marked replayed, retry later', 2);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
