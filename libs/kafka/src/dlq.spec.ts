import {
  DLQ_CODE_HEADER,
  DLQ_ERROR_CLASS_HEADER,
  DLQ_GROUP_HEADER,
  DLQ_SOURCE_OFFSET_HEADER,
  DLQ_SOURCE_TOPIC_HEADER,
  DLQ_TENANT_HEADER,
  DLQ_VALUE_OMITTED_HEADER,
  ESCALATIONS_DLQ_TOPIC,
  ESCALATIONS_TOPIC,
} from '@agent-ledger/contracts';
import type { KafkaMessage } from 'kafkajs';
import { DlqPublisher, recordSize, splitIntoRequests, tenantOf } from './dlq';
import type { LedgerProducer, OutgoingMessage } from './producer';

const TENANT = '7d3f0c52-9a4e-4f7e-9a55-0f6f2f1b8d11';
const message = (offset: number, value: string | Buffer, key = `${TENANT}:s1`): KafkaMessage =>
  ({ offset: String(offset), key: Buffer.from(key), value: Buffer.isBuffer(value) ? value : Buffer.from(value), timestamp: '0', attributes: 0, headers: { 'x-ledger-schema': Buffer.from('escalation-event.v1') } }) as KafkaMessage;

/** A producer that behaves like a broker with message.max.bytes = `limit` per partition batch. */
function fakeBroker(limit: number) {
  const requests: { topic: string; messages: OutgoingMessage[] }[] = [];
  const producer = {
    send: async (topic: string, messages: OutgoingMessage[]) => {
      const size = messages.reduce((n, m) => n + recordSize(m), 0);
      if (size > limit) throw Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' });
      requests.push({ topic, messages });
    },
  } as unknown as LedgerProducer;
  return { producer, requests };
}

describe(DlqPublisher.name, () => {
  it('should split thousands of letters into requests under the limit when published at once', async () => {
    const broker = fakeBroker(1_048_576);
    const dlq = new DlqPublisher(broker.producer, { group: 'g1' });
    const letters = Array.from({ length: 3_000 }, (_, i) => ({ topic: ESCALATIONS_TOPIC, partition: 2, message: message(i, 'x'.repeat(2_000)), reason: 'unknown_tenant: no such tenant' }));

    await dlq.publish(letters);

    expect(broker.requests.length).toBeGreaterThan(10);
    expect(broker.requests.flatMap((r) => r.messages)).toHaveLength(3_000);
    for (const r of broker.requests) expect(r.messages.reduce((n, m) => n + recordSize(m), 0)).toBeLessThanOrEqual(524_288);
    expect(broker.requests.flatMap((r) => r.messages.map((m) => m.headers?.[DLQ_SOURCE_OFFSET_HEADER]))).toEqual(letters.map((l) => l.message.offset));
  });

  it('should carry the error headers and the original when a letter is published', async () => {
    const broker = fakeBroker(1_048_576);
    const dlq = new DlqPublisher(broker.producer, { group: 'g1' });

    await dlq.publish([{ topic: ESCALATIONS_TOPIC, partition: 1, message: message(42, '{"tenantId":"x"}'), reason: 'sqlstate_22021: invalid byte sequence', code: 'sqlstate_22021', errorClass: 'data' }]);

    const [{ topic, messages }] = broker.requests;
    expect(topic).toBe(ESCALATIONS_DLQ_TOPIC);
    expect(messages[0].value?.toString()).toBe('{"tenantId":"x"}');
    expect(messages[0].headers).toEqual(
      expect.objectContaining({
        'x-ledger-schema': 'escalation-event.v1',
        [DLQ_CODE_HEADER]: 'sqlstate_22021',
        [DLQ_ERROR_CLASS_HEADER]: 'data',
        [DLQ_GROUP_HEADER]: 'g1',
        [DLQ_SOURCE_TOPIC_HEADER]: ESCALATIONS_TOPIC,
        [DLQ_SOURCE_OFFSET_HEADER]: '42',
        [DLQ_TENANT_HEADER]: TENANT,
      }),
    );
  });

  it('should send a letter without its value, naming its size, when the value alone exceeds the limit', async () => {
    const broker = fakeBroker(1_048_576);
    const dlq = new DlqPublisher(broker.producer);
    const huge = Buffer.alloc(900_000, 'a');

    await dlq.publish([{ topic: ESCALATIONS_TOPIC, partition: 0, message: message(7, huge), reason: 'schema: too large' }]);

    const [m] = broker.requests[0].messages;
    expect(m.value).toBeNull();
    expect(m.headers?.[DLQ_VALUE_OMITTED_HEADER]).toBe('900000');
  });

  it('should split again and finally drop the value when the broker refuses a request as too large', async () => {
    const broker = fakeBroker(50_000);
    const dlq = new DlqPublisher(broker.producer, { maxMessageBytes: 1_048_576 });
    const letters = [0, 1, 2, 3].map((i) => ({ topic: ESCALATIONS_TOPIC, partition: 0, message: message(i, Buffer.alloc(i === 3 ? 120_000 : 20_000, 'b')), reason: 'data_error: x' }));

    await dlq.publish(letters);

    const sent = broker.requests.flatMap((r) => r.messages);
    expect(sent.map((m) => m.headers?.[DLQ_SOURCE_OFFSET_HEADER])).toEqual(['0', '1', '2', '3']);
    expect(sent[3].value).toBeNull();
    expect(sent[3].headers?.[DLQ_VALUE_OMITTED_HEADER]).toBe('120000');
  });

  it('should rethrow when the broker is unreachable', async () => {
    const producer = { send: async () => Promise.reject(Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' })) } as unknown as LedgerProducer;

    await expect(new DlqPublisher(producer).publish([{ topic: ESCALATIONS_TOPIC, partition: 0, message: message(1, 'x'), reason: 'x' }])).rejects.toThrow('Connection error');
  });
});

describe(tenantOf.name, () => {
  it('should read the tenant from the value, else from the key prefix, when either is a uuid', () => {
    expect(tenantOf(message(1, JSON.stringify({ tenantId: TENANT }), 'other'))).toBe(TENANT);
    expect(tenantOf(message(1, 'not json'))).toBe(TENANT);
    expect(tenantOf(message(1, 'not json', 'tenant-name:s1'))).toBeUndefined();
  });
});

describe(splitIntoRequests.name, () => {
  it('should keep order and put an oversized record alone when records vary in size', () => {
    const rec = (n: number): OutgoingMessage => ({ key: '', value: Buffer.alloc(n) });
    const chunks = splitIntoRequests([rec(10), rec(10), rec(1_000), rec(10)], 500);
    expect(chunks.map((c) => c.map((r) => (r.value as Buffer).length))).toEqual([[10, 10], [1_000], [10]]);
  });
});
