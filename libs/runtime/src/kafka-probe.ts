import type { Kafka } from '@agent-ledger/kafka';
import type { Admin } from 'kafkajs';
import type { ReadinessCheck } from './readiness.service';

/** Kafka's part of readiness: an admin client (no retries) that must see at least one broker. */
export class KafkaProbe implements ReadinessCheck {
  readonly name = 'kafka';
  private readonly admin: Admin;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin({ retry: { retries: 0 } });
  }

  async check(): Promise<void> {
    await this.admin.connect();
    const c = await this.admin.describeCluster();
    if (!c.brokers.length) throw new Error('no Kafka broker available');
  }

  close(): Promise<void> {
    return this.admin.disconnect().catch(() => undefined);
  }
}
