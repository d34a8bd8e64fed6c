import type { Admin, Kafka } from 'kafkajs';
import type { PartitionHealth } from './partition-health';

/**
 * Reads the group's committed offsets and the ends of its assigned partitions from the broker, so
 * a partition that has lag but does not move is noticed even when no batch reaches the handler.
 */
export class LagMonitor {
  private admin?: Admin;

  constructor(private readonly kafka: Kafka, private readonly groupId: string, private readonly health: PartitionHealth) {}

  async poll(assignment: { topic: string; partitions: number[] }[]): Promise<void> {
    if (!assignment.length) return;
    if (!this.admin) {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      this.admin = admin;
    }
    try {
      for (const { topic, partitions } of assignment) {
        const ends = new Map((await this.admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.high]));
        const [committed] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
        for (const c of committed?.partitions ?? []) {
          const end = ends.get(c.partition);
          if (end !== undefined && partitions.includes(c.partition)) this.health.observed(topic, c.partition, c.offset, end);
        }
      }
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
