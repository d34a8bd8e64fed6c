import { ESCALATIONS_TOPIC, type EscalationEvent } from '@agent-ledger/contracts';
import type { Kafka } from '@agent-ledger/kafka';
import type { LedgerSystem } from '@agent-ledger/testing';
import { AssignerProtocol, type Consumer } from 'kafkajs';

type Admin = ReturnType<Kafka['admin']>;

/**
 * A downstream subscriber of the escalations topic in its own group, from the topic's end when it
 * starts: every escalation event of one tenant, each message as read (a duplicate on the topic
 * shows as two entries).
 */
export class EscalationsTopicReader {
  readonly events: EscalationEvent[] = [];
  private consumer?: Consumer;

  constructor(private readonly kafka: Kafka, private readonly system: LedgerSystem, private readonly tenantId: string) {}

  async start(): Promise<this> {
    const groupId = `scale-out-reader-${this.system.suffix}`;
    await this.system.startKafkaGroupAtTopicEnd(groupId, ESCALATIONS_TOPIC);
    const consumer = this.kafka.consumer({ groupId });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: ESCALATIONS_TOPIC });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const e = JSON.parse(message.value!.toString()) as EscalationEvent;
        if (e.tenantId === this.tenantId) this.events.push(e);
      },
    });
    return this;
  }

  opened(): Extract<EscalationEvent, { type: 'escalation.opened' }>[] {
    return this.events.filter((e): e is Extract<EscalationEvent, { type: 'escalation.opened' }> => e.type === 'escalation.opened');
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Members of a consumer group and the partitions each holds (empty while it rebalances). */
export async function groupAssignment(admin: Admin, groupId: string, topic: string): Promise<{ stable: boolean; partitionsPerMember: number[] }> {
  const [group] = (await admin.describeGroups([groupId])).groups;
  const partitionsPerMember = group.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic]?.length ?? 0);
  return { stable: group.state === 'Stable', partitionsPerMember };
}

/** How many times each key occurs. */
export function occurrences<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The keys of `expected` that do not occur exactly once in `counts`, and the keys of `counts` that were not expected. */
export function notExactlyOnce(expected: Iterable<string>, counts: Map<string, number>): { missing: number; repeated: number; unexpected: number } {
  const want = new Set(expected);
  let missing = 0;
  let repeated = 0;
  for (const k of want) {
    const n = counts.get(k) ?? 0;
    if (n === 0) missing++;
    else if (n > 1) repeated++;
  }
  const unexpected = [...counts.keys()].filter((k) => !want.has(k)).length;
  return { missing, repeated, unexpected };
}
