import { DLQ_CODE_HEADER, DLQ_ERROR_CLASS_HEADER, DLQ_GROUP_HEADER, DLQ_SOURCE_OFFSET_HEADER } from '@agent-ledger/contracts';
import { stackEnv, uniqueSuffix, waitFor } from '@agent-ledger/testing';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { ConsumerHost, createKafka, DataError, DlqPublisher, LedgerProducer, TransientError } from './index';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ConsumerHost against the real broker', () => {
  const env = stackEnv();
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'consumer-host-int-spec' });
  const topic = `test.consumer-host.${uniqueSuffix()}`;
  const dlqTopic = `${topic}.dlq`;
  const producer = new LedgerProducer(kafka);
  const hosts: ConsumerHost[] = [];
  let dlqReader: Consumer | undefined;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }, { topic: dlqTopic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
  });

  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await dlqReader?.disconnect();
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  function host(groupId: string, handle: (messages: KafkaMessage[], heartbeat: () => Promise<void>) => Promise<void>, sessionTimeoutMs = 6_000): ConsumerHost {
    const h = new ConsumerHost(kafka, {
      name: 'test consumer',
      groupId,
      topics: [topic],
      sessionTimeoutMs,
      retry: { initialMs: 50, maxMs: 200 },
      dlq: new DlqPublisher(producer, { dlqTopic, group: groupId }),
      handle: (batch) => handle(batch.messages, batch.heartbeat),
    });
    hosts.push(h);
    h.start();
    return h;
  }

  it('should dead-letter the poison message and apply the rest in order when a batch fails with a data error', async () => {
    const tag = uniqueSuffix();
    const values = Array.from({ length: 20 }, (_, i) => (i === 7 ? `poison-${tag}` : `ok-${tag}-${i}`));
    await producer.send(topic, values.map((value) => ({ key: 'k', value, partition: 0 })));
    const applied: string[] = [];
    let transientFailures = 2;
    const groupId = `host-poison-${tag}`;
    const h = host(groupId, async (messages) => {
      const mine = messages.map((m) => m.value!.toString()).filter((v) => v.includes(tag));
      if (transientFailures-- > 0) throw new TransientError('database away');
      if (mine.includes(`poison-${tag}`)) throw new DataError('value cannot be stored', 'bad_value');
      applied.push(...mine);
    });

    await waitFor(() => applied.length === 19, { timeoutMs: 30_000, what: 'the 19 valid messages applied' });
    expect(applied).toEqual(values.filter((v) => !v.startsWith('poison')));

    const letters: KafkaMessage[] = [];
    dlqReader = kafka.consumer({ groupId: `host-dlq-reader-${tag}` });
    await dlqReader.connect();
    await dlqReader.subscribe({ topic: dlqTopic, fromBeginning: true });
    await dlqReader.run({ eachMessage: async ({ message }) => void letters.push(message) });
    const letter = await waitFor(() => letters.find((l) => l.value?.toString() === `poison-${tag}`), { timeoutMs: 20_000, what: 'the dead letter' });
    expect(letter.headers?.[DLQ_CODE_HEADER]?.toString()).toBe('bad_value');
    expect(letter.headers?.[DLQ_ERROR_CLASS_HEADER]?.toString()).toBe('data');
    expect(letter.headers?.[DLQ_GROUP_HEADER]?.toString()).toBe(groupId);
    expect(letter.headers?.[DLQ_SOURCE_OFFSET_HEADER]).toBeDefined();
    await expect(h.checkReady()).resolves.toBeUndefined();
  });

  it('should stay ready with the same member when idle for longer than the rejoin bound', async () => {
    const groupId = `host-idle-${uniqueSuffix()}`;
    const h = host(groupId, async () => undefined);
    await waitFor(() => h.checkReady().then(() => true), { timeoutMs: 30_000, what: 'the host ready' });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const members = async () => (await admin.describeGroups([groupId])).groups[0].members.map((m) => m.memberId);
      const before = await members();
      await sleep(35_000);
      await expect(h.checkReady()).resolves.toBeUndefined();
      expect(await members()).toEqual(before);
    } finally {
      await admin.disconnect();
    }
  }, 90_000);

  it('should rejoin its group and go on when its membership expired during a long batch', async () => {
    const tag = uniqueSuffix();
    const seen: string[] = [];
    let first = true;
    const h = host(`host-rejoin-${tag}`, async (messages, heartbeat) => {
      const mine = messages.map((m) => m.value!.toString()).filter((v) => v.includes(tag));
      if (mine.length && first) {
        first = false;
        // No heartbeat for longer than the session timeout: the coordinator forgets this member.
        await sleep(9_000);
      }
      // As the projector does: the heartbeat answers "The coordinator is not aware of this member".
      await heartbeat();
      seen.push(...mine);
    });
    await waitFor(() => h.checkReady().then(() => true), { timeoutMs: 30_000, what: 'the host ready' });
    await producer.send(topic, [{ key: 'k', value: `before-${tag}`, partition: 0 }]);
    await waitFor(() => seen.includes(`before-${tag}`), { timeoutMs: 30_000, what: 'the first message handled' });

    await producer.send(topic, [{ key: 'k', value: `after-${tag}`, partition: 0 }]);
    await waitFor(() => seen.includes(`after-${tag}`), { timeoutMs: 40_000, what: 'a message published after the membership expired' });
    await waitFor(() => h.checkReady().then(() => true), { timeoutMs: 30_000, what: 'the host ready again' });
    expect(h.isRunning).toBe(true);
  });
});
