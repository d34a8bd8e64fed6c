import { ACTION_EVENT_SCHEMA_VERSION, ACTION_EVENTS_TOPIC, SCHEMA_VERSION_HEADER } from '@agent-ledger/contracts';
import type { Kafka } from '@agent-ledger/kafka';
import { loadEventInput, stamped } from './events';

export interface Backlog {
  /** Each partition's high watermark before and after the pre-load. */
  starts: Map<number, bigint>;
  ends: Map<number, bigint>;
  /** Messages between starts and ends (the pre-load, and anything others produced meanwhile). */
  messages: number;
  seconds: number;
}

/**
 * Writes `events` load events of a tenant (as ingest would have stamped them) to the action events
 * topic with the raw producer, 4 sends of 1,000 in flight: a backlog for consumers started afterwards.
 */
export async function preloadActionEvents(kafka: Kafka, tenantId: string, run: string, events: number): Promise<Backlog> {
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  try {
    const starts = new Map((await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC)).map((o) => [o.partition, BigInt(o.high)]));
    await producer.connect();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < events) {
          const from = next;
          const n = Math.min(1_000, events - from);
          next += n;
          const messages = Array.from({ length: n }, (_, k) => {
            const { event, key } = stamped(tenantId, loadEventInput(run, from + k));
            return { key, value: JSON.stringify(event), headers: { [SCHEMA_VERSION_HEADER]: ACTION_EVENT_SCHEMA_VERSION } };
          });
          await producer.send({ topic: ACTION_EVENTS_TOPIC, acks: -1, messages });
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1_000;
    const ends = new Map((await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC)).map((o) => [o.partition, BigInt(o.high)]));
    const messages = Number([...ends].reduce((a, [p, high]) => a + high - (starts.get(p) ?? 0n), 0n));
    return { starts, ends, messages, seconds };
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

/** Messages of the backlog a group has passed, given its next offset per partition; finished once every partition reached its end. */
export function backlogProgress(backlog: Backlog, next: Map<number, bigint>): { done: number; finished: boolean } {
  let done = 0n;
  let finished = true;
  for (const [partition, end] of backlog.ends) {
    const start = backlog.starts.get(partition) ?? 0n;
    const at = next.get(partition) ?? start;
    done += (at < end ? at : end) - (at > start ? start : at);
    if (at < end) finished = false;
  }
  return { done: Number(done), finished };
}
