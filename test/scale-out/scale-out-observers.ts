import { ESCALATIONS_TOPIC, type EscalationEvent } from '@agent-ledger/contracts';
import type { Kafka } from '@agent-ledger/kafka';
import type { LedgerSystem } from '@agent-ledger/testing';
import { AssignerProtocol, type Consumer } from 'kafkajs';
import { cpuSeconds, machineBusy, stackCpuMeter } from '../../bench/lib/resources';

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

/**
 * Webhooks as a receiver that keeps one per `webhook-id` sees them. Delivery is at least once: a
 * notifier killed after the receiver answered and before the job completed has the job run again.
 * So each expected id must arrive, nothing else may, and a repeat must carry the first delivery's
 * body (a receiver that drops it loses nothing). `redelivered` counts the ids that came more than once.
 */
export function deliveredPerWebhookId(expected: Iterable<string>, calls: { headers: Record<string, unknown>; body: string }[]): { missing: number; unexpected: number; redelivered: number; redeliveredWithAnotherBody: number } {
  const bodies = new Map<string, string[]>();
  for (const c of calls) {
    const id = String(c.headers['webhook-id']);
    bodies.set(id, [...(bodies.get(id) ?? []), c.body]);
  }
  const { missing, repeated, unexpected } = notExactlyOnce(expected, new Map([...bodies].map(([id, b]) => [id, b.length])));
  const redeliveredWithAnotherBody = [...bodies.values()].filter((b) => b.some((x) => x !== b[0])).length;
  return { missing, unexpected, redelivered: repeated, redeliveredWithAnotherBody };
}

/**
 * CPU seconds per service over a window in which instances come and go: each running process is read
 * from /proc every second and its growth added to its service (a process killed meanwhile loses at
 * most its last second), plus the stack's processes (PostgreSQL, Kafka, Redis), this test process
 * and how busy the machine was.
 */
export class CpuByService {
  private readonly totals = new Map<string, number>();
  private readonly last = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly stack = stackCpuMeter();
  private readonly busy = machineBusy();
  private readonly self = process.cpuUsage();

  constructor(private readonly running: () => { name: string; pid?: number }[]) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1_000);
    this.timer.unref();
  }

  private sample(): void {
    for (const { name, pid } of this.running()) {
      if (pid === undefined) continue;
      const now = cpuSeconds(pid);
      if (Number.isNaN(now)) continue;
      const before = this.last.get(pid);
      this.last.set(pid, now);
      if (before !== undefined) this.totals.set(name, (this.totals.get(name) ?? 0) + (now - before));
      else this.totals.set(name, this.totals.get(name) ?? 0);
    }
  }

  /** CPU seconds by service and stack component over the window, and the machine's busy share. */
  stop(): { cpuSeconds: Record<string, number>; machineBusy: number } {
    this.sample();
    clearInterval(this.timer);
    const own = process.cpuUsage(this.self);
    const round = (n: number) => Math.round(n * 10) / 10;
    const services = Object.fromEntries([...this.totals].map(([name, s]) => [name, round(s)]));
    const stack = Object.fromEntries(Object.entries(this.stack()).map(([name, s]) => [name, round(s)]));
    return { cpuSeconds: { ...services, ...stack, 'test process': round((own.user + own.system) / 1e6) }, machineBusy: Math.round(this.busy() * 100) / 100 };
  }
}
