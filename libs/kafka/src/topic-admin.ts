import type { Kafka } from 'kafkajs';
import {
  ACTION_EVENTS_DLQ_TOPIC,
  ACTION_EVENTS_TOPIC,
  CHECKPOINTS_TOPIC,
  ESCALATIONS_DLQ_TOPIC,
  ESCALATIONS_TOPIC,
} from '@agent-ledger/contracts';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries?: { name: string; value: string }[];
}

/** The topics the system needs; partition counts are deployment settings. */
export function ledgerTopics(opts: { actionEventPartitions: number; escalationPartitions: number; replicationFactor: number }): TopicSpec[] {
  const rf = opts.replicationFactor;
  return [
    { topic: ACTION_EVENTS_TOPIC, numPartitions: opts.actionEventPartitions, replicationFactor: rf },
    { topic: ACTION_EVENTS_DLQ_TOPIC, numPartitions: 3, replicationFactor: rf },
    { topic: ESCALATIONS_TOPIC, numPartitions: opts.escalationPartitions, replicationFactor: rf },
    { topic: ESCALATIONS_DLQ_TOPIC, numPartitions: 3, replicationFactor: rf },
    { topic: CHECKPOINTS_TOPIC, numPartitions: 1, replicationFactor: rf },
  ];
}

/** Creates missing topics (waiting for leaders) and leaves existing ones alone. */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<{ created: string[]; existing: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !present.has(s.topic));
    if (missing.length) await admin.createTopics({ topics: missing, waitForLeaders: true });
    return { created: missing.map((s) => s.topic), existing: specs.filter((s) => present.has(s.topic)).map((s) => s.topic) };
  } finally {
    await admin.disconnect();
  }
}

/** Cheap liveness probe of the cluster: a metadata round trip. */
export async function describeCluster(kafka: Kafka): Promise<{ brokers: number; controller: number | null }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const c = await admin.describeCluster();
    return { brokers: c.brokers.length, controller: c.controller };
  } finally {
    await admin.disconnect();
  }
}
