import { stackEnv, uniqueSuffix, waitFor } from '@agent-ledger/testing';
import type { Kafka } from 'kafkajs';
import { ConsumerHost, createKafka, DlqPublisher, LedgerProducer, type ConsumerBatch } from './index';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PARTITIONS = 4;
const SESSION_TIMEOUT_MS = 6_000;

/**
 * Sends LeaveGroup for a member, as the coordinator does when it drops a member (session expired,
 * rebalance timeout passed): the member's next heartbeat or commit is answered "The coordinator is
 * not aware of this member".
 */
async function forgetMember(kafka: Kafka, groupId: string, memberId: string): Promise<void> {
  const create = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!create) throw new Error('kafkajs internals changed: no createCluster');
  const cluster = (kafka as unknown as Record<symbol, (o: object) => { connect(): Promise<void>; disconnect(): Promise<void>; findGroupCoordinator(o: object): Promise<{ leaveGroup(o: object): Promise<void> }> }>)[create]({});
  await cluster.connect();
  try {
    await (await cluster.findGroupCoordinator({ groupId })).leaveGroup({ groupId, memberId });
  } finally {
    await cluster.disconnect();
  }
}

/**
 * The group membership of a consumer whose batches take long, against the real broker: a slice
 * longer than the session timeout keeps the member in the group, and a member the coordinator
 * forgot rejoins without working through the rest of the fetch first.
 */
describe('ConsumerHost group membership', () => {
  const env = stackEnv();
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'consumer-host-membership-int-spec' });
  const topic = `test.consumer-host-membership.${uniqueSuffix()}`;
  const dlqTopic = `${topic}.dlq`;
  const producer = new LedgerProducer(kafka);
  const hosts: ConsumerHost[] = [];
  const admin = kafka.admin();

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }, { topic: dlqTopic, numPartitions: 1 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  function host(groupId: string, handle: (batch: ConsumerBatch) => Promise<void>): ConsumerHost {
    const h = new ConsumerHost(createKafka({ brokers: env.kafkaBrokers, clientId: groupId }), {
      name: 'slow consumer',
      groupId,
      topics: [topic],
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      dlq: new DlqPublisher(producer, { dlqTopic, group: groupId }),
      handle,
    });
    hosts.push(h);
    h.start();
    return h;
  }

  /** Publishes `n` messages to every partition; returns their values. */
  async function publish(tag: string, n: number): Promise<string[]> {
    const values: string[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const batch = Array.from({ length: n }, (_, i) => ({ key: `k${p}`, value: `${tag}-${p}-${i}`, partition: p }));
      await producer.send(topic, batch);
      values.push(...batch.map((m) => m.value));
    }
    return values;
  }

  it('should keep its membership and apply each message once when a slice takes longer than the session timeout', async () => {
    const tag = uniqueSuffix();
    const values = await publish(tag, 20);
    const applied = new Map<string, number>();
    const slowOnce = new Set<number>();
    const h = host(`host-slow-${tag}`, async (batch) => {
      const mine = batch.messages.map((m) => m.value!.toString()).filter((v) => v.startsWith(tag));
      if (mine.length && !slowOnce.has(batch.partition)) {
        slowOnce.add(batch.partition);
        // Longer than the session timeout, without a heartbeat of its own (a large transaction).
        await sleep(SESSION_TIMEOUT_MS + 2_000);
      }
      for (const v of mine) applied.set(v, (applied.get(v) ?? 0) + 1);
    });
    await waitFor(() => values.every((v) => applied.has(v)), { timeoutMs: 120_000, what: 'every message applied' });
    await sleep(2_000);
    expect([...applied.values()].filter((n) => n > 1)).toEqual([]);
    await expect(h.checkReady()).resolves.toBeUndefined();
    await expect(h.checkLive()).resolves.toBeUndefined();
  }, 150_000);

  it('should rejoin before handling the rest of the fetch when the coordinator forgot it', async () => {
    const tag = uniqueSuffix();
    const groupId = `host-forgotten-${tag}`;
    const starts: { at: number; assignment: unknown }[] = [];
    const applied = new Set<string>();
    let slow = true;
    // Published first: the first fetch holds a batch of every partition.
    const values = await publish(tag, 20);
    const h = host(groupId, async (batch) => {
      const mine = batch.messages.map((m) => m.value!.toString()).filter((v) => v.startsWith(tag));
      if (!mine.length) return;
      starts.push({ at: Date.now(), assignment: h.assigned });
      if (slow) await sleep(3_000);
      for (const v of mine) applied.add(v);
    });
    await waitFor(() => starts.length > 0, { timeoutMs: 30_000, what: 'the first slow batch' });
    const assignment = h.assigned;
    const [member] = (await admin.describeGroups([groupId])).groups[0].members;
    await forgetMember(kafka, groupId, member.memberId);
    const forgotAt = Date.now();
    await waitFor(() => h.assigned !== assignment, { timeoutMs: 60_000, intervalMs: 50, what: 'the host back in its group' });
    slow = false;
    // The batch in flight when the member was forgotten may finish; no further batch starts before the rejoin.
    expect(starts.filter((s) => s.assignment === assignment && s.at > forgotAt + 100)).toEqual([]);
    await waitFor(() => values.every((v) => applied.has(v)), { timeoutMs: 60_000, what: 'every message applied' });
    const members = (await admin.describeGroups([groupId])).groups[0].members.map((m) => m.memberId);
    expect(members).not.toContain(member.memberId);
    await waitFor(() => h.checkReady().then(() => true), { timeoutMs: 30_000, what: 'the host ready again' });
  }, 150_000);
});
