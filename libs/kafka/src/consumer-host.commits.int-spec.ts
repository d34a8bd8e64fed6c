import { stackEnv, uniqueSuffix, waitFor } from '@agent-ledger/testing';
import { ConsumerHost, createKafka, DlqPublisher, LedgerProducer } from './index';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * When a ConsumerHost commits its offsets, against the real broker: not after every batch, but once
 * per interval, for the tail when no batch comes, at stop, and when a rebalance starts.
 */
describe('ConsumerHost offset commits', () => {
  const env = stackEnv();
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'consumer-host-commits-int-spec' });
  const topic = `test.consumer-host-commits.${uniqueSuffix()}`;
  const dlqTopic = `${topic}.dlq`;
  const producer = new LedgerProducer(kafka);
  const admin = kafka.admin();
  const hosts: ConsumerHost[] = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }, { topic: dlqTopic, numPartitions: 1 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  function host(groupId: string, commitIntervalMs: number, handled: string[]): ConsumerHost {
    const h = new ConsumerHost(createKafka({ brokers: env.kafkaBrokers, clientId: `${groupId}-${hosts.length}` }), {
      name: 'committing consumer',
      groupId,
      topics: [topic],
      sessionTimeoutMs: 6_000,
      commitIntervalMs,
      dlq: new DlqPublisher(producer, { dlqTopic, group: groupId }),
      handle: async (batch) => void handled.push(...batch.messages.map((m) => m.value!.toString())),
    });
    hosts.push(h);
    h.start();
    return h;
  }

  const committed = async (groupId: string): Promise<string> => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t?.partitions.find((p) => p.partition === 0)?.offset ?? '-1';
  };
  const end = async (): Promise<string> => (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === 0)!.high;

  /** Sends `count` messages one at a time, so the consumer sees many small batches, and waits until they are handled. */
  async function trickle(tag: string, count: number, handled: string[]): Promise<void> {
    for (let i = 0; i < count; i++) {
      await producer.send(topic, [{ key: 'k', value: `${tag}-${i}`, partition: 0 }]);
      await sleep(25);
    }
    await waitFor(() => handled.filter((v) => v.startsWith(tag)).length === count, { timeoutMs: 30_000, what: `the ${count} messages handled` });
  }

  /** A host of a new group, ready, that has handled `count` trickled messages. */
  async function readyHostThatHandled(name: string, commitIntervalMs: number, count: number): Promise<{ h: ConsumerHost; groupId: string; handled: string[]; tag: string }> {
    const tag = uniqueSuffix();
    const groupId = `host-commits-${name}-${tag}`;
    const handled: string[] = [];
    const h = host(groupId, commitIntervalMs, handled);
    await waitFor(() => h.checkReady().then(() => true), { timeoutMs: 30_000, what: 'the host ready' });
    await trickle(tag, count, handled);
    return { h, groupId, handled, tag };
  }

  it('should commit at stop, not after each batch, when the interval is longer than the run', async () => {
    const { h, groupId } = await readyHostThatHandled('stop', 600_000, 30);
    await sleep(1_500);
    expect(await committed(groupId)).toBe('-1');

    await h.stop();
    expect(await committed(groupId)).toBe(await end());
  }, 90_000);

  it('should commit the tail within the interval once no more batches come', async () => {
    const { h, groupId } = await readyHostThatHandled('tail', 500, 10);
    const target = await end();
    await waitFor(async () => (await committed(groupId)) === target, { timeoutMs: 5_000, intervalMs: 100, what: 'the last offset committed by the timer' });
    expect(h.isRunning).toBe(true);
  }, 90_000);

  it('should commit what it resolved when a rebalance starts, so the next owner does not redo it', async () => {
    const { h: a, groupId, handled: first, tag } = await readyHostThatHandled('rebalance', 600_000, 20);
    expect(await committed(groupId)).toBe('-1');

    // A second member joins: the group rebalances while both run.
    const second: string[] = [];
    const b = host(groupId, 600_000, second);
    const target = await end();
    await waitFor(async () => (await committed(groupId)) === target, { timeoutMs: 30_000, intervalMs: 200, what: 'the first member’s offsets committed on the rebalance' });
    await waitFor(() => b.checkReady().then(() => true).catch(() => a.checkReady().then(() => true)), { timeoutMs: 30_000, what: 'the group settled' });
    await sleep(2_000);
    // Whichever member owns the partition now starts after what was done: nothing is handled twice.
    expect([...first, ...second].filter((v) => v.startsWith(tag))).toHaveLength(20);
  }, 90_000);
});
