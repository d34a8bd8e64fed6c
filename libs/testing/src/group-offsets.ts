import type { Kafka } from 'kafkajs';

export interface PartitionOffset {
  partition: number;
  offset: string;
}

/**
 * Commits a consumer group's offsets of one topic (the group must have no running member), e.g. to
 * make a new group start at the current end. It does what kafkajs's `admin.setOffsets` does — join
 * the group with a short-lived member and commit — without waiting out that member's first fetch
 * (`admin.setOffsets` cannot shorten it from 5 s), so a suite that positions six groups starts in
 * a fraction of a second instead of half a minute.
 */
export async function commitGroupOffsets(kafka: Kafka, groupId: string, topic: string, partitions: PartitionOffset[]): Promise<void> {
  if (!partitions.length) throw new Error(`no partitions to commit for group ${groupId} on ${topic}`);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, sessionTimeout: 6_000, heartbeatInterval: 1_000, retry: { retries: 5 } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const { state } = await consumer.describeGroup();
    if (state !== 'Empty' && state !== 'Dead') throw new Error(`group ${groupId} has running members (state ${state}): its offsets cannot be set`);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    consumer.pause([{ topic }]);
    await joined;
    await consumer.commitOffsets(partitions.map((p) => ({ topic, partition: p.partition, offset: p.offset })));
  } finally {
    await consumer.disconnect();
  }
}

/** Commits a consumer group's offsets at the current end of a topic (the group must be idle). */
export async function commitGroupAtTopicEnd(kafka: Kafka, groupId: string, topic: string): Promise<PartitionOffset[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.high }));
    await commitGroupOffsets(kafka, groupId, topic, ends);
    return ends;
  } finally {
    await admin.disconnect();
  }
}
