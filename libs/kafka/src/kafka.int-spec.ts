import { trace } from '@opentelemetry/api';
import { DLQ_REASON_HEADER, DLQ_SOURCE_OFFSET_HEADER, DLQ_SOURCE_PARTITION_HEADER, DLQ_SOURCE_TOPIC_HEADER } from '@agent-ledger/contracts';
import { extractTraceContext, startTelemetry, withSpan } from '@agent-ledger/telemetry';
import { stackEnv, uniqueSuffix, waitFor } from '@agent-ledger/testing';
import { BatchConsumerRunner, createKafka, DlqPublisher, LedgerProducer, type KafkaMessage } from './index';

describe('libs/kafka against the real broker', () => {
  const env = stackEnv();
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'kafka-int-spec' });
  const topic = `test.kafka-lib.${uniqueSuffix()}`;
  const dlqTopic = `${topic}.dlq`;
  const producer = new LedgerProducer(kafka);

  beforeAll(async () => {
    startTelemetry('kafka-int-spec');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }, { topic: dlqTopic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
  });

  afterAll(async () => {
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('should deliver a message with its W3C trace context intact when published inside a span', async () => {
    let sentTraceId = '';
    let sentSpanId = '';
    await withSpan(
      'publish',
      async () => {
        const span = trace.getActiveSpan()!;
        sentTraceId = span.spanContext().traceId;
        sentSpanId = span.spanContext().spanId;
        await producer.send(topic, [{ key: 't1:a1', value: JSON.stringify({ hello: 'world' }) }]);
      },
      { kind: 'producer' },
    );
    expect(sentTraceId).toMatch(/^[0-9a-f]{32}$/);
    expect(sentTraceId).not.toBe('00000000000000000000000000000000');

    const received: KafkaMessage[] = [];
    const runner = new BatchConsumerRunner(kafka, {
      groupId: `kafka-int-spec-${uniqueSuffix()}`,
      topics: [topic],
      handleBatch: async (batch) => {
        received.push(...batch.messages);
      },
    });
    await runner.start();
    try {
      await waitFor(() => received.length >= 1, { timeoutMs: 30_000, what: 'the message to come back' });
    } finally {
      await runner.stop();
    }
    const msg = received[0];
    expect(JSON.parse(msg.value!.toString())).toEqual({ hello: 'world' });
    expect(msg.key!.toString()).toBe('t1:a1');
    const ctx = trace.getSpanContext(extractTraceContext(msg.headers));
    expect(ctx?.traceId).toBe(sentTraceId);
    expect(ctx?.spanId).toBe(sentSpanId);
  });

  it('should retry a failed batch without skipping it when the handler throws', async () => {
    const key = `retry-${uniqueSuffix()}`;
    await producer.send(topic, [{ key, value: 'v1', partition: 1 }]);
    let attempts = 0;
    const done: string[] = [];
    const runner = new BatchConsumerRunner(kafka, {
      groupId: `kafka-int-spec-retry-${uniqueSuffix()}`,
      topics: [topic],
      retryBackoffMs: { initial: 50, max: 100 },
      handleBatch: async (batch) => {
        if (!batch.messages.some((m) => m.key?.toString() === key)) return;
        attempts += 1;
        if (attempts < 3) throw new Error('transient');
        done.push(...batch.messages.map((m) => m.key!.toString()));
      },
    });
    await runner.start();
    try {
      await waitFor(() => done.includes(key), { timeoutMs: 30_000, what: 'the batch to succeed' });
    } finally {
      await runner.stop();
    }
    expect(attempts).toBe(3);
  });

  it('should put the reason and origin in headers when a message is dead-lettered', async () => {
    const dlq = new DlqPublisher(producer, dlqTopic);
    const original: KafkaMessage = {
      key: Buffer.from('t1:bad'),
      value: Buffer.from('{not json'),
      offset: '42',
      timestamp: String(Date.now()),
      attributes: 0,
      headers: { traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01') },
      size: 0,
    } as unknown as KafkaMessage;
    await dlq.publish([{ topic, partition: 1, message: original, reason: 'invalid JSON' }]);
    const got: KafkaMessage[] = [];
    const runner = new BatchConsumerRunner(kafka, {
      groupId: `kafka-int-spec-dlq-${uniqueSuffix()}`,
      topics: [dlqTopic],
      handleBatch: async (b) => void got.push(...b.messages),
    });
    await runner.start();
    try {
      await waitFor(() => got.length >= 1, { what: 'the dead letter' });
    } finally {
      await runner.stop();
    }
    const h = got[0].headers!;
    expect(h[DLQ_REASON_HEADER]!.toString()).toBe('invalid JSON');
    expect(h[DLQ_SOURCE_OFFSET_HEADER]!.toString()).toBe('42');
    expect(h[DLQ_SOURCE_PARTITION_HEADER]!.toString()).toBe('1');
    expect(h[DLQ_SOURCE_TOPIC_HEADER]!.toString()).toBe(topic);
    expect(h.traceparent).toBeDefined();
    expect(got[0].value!.toString()).toBe('{not json');
  });
});
