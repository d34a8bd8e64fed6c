import {
  ACTION_EVENT_LIMITS,
  ACTION_EVENT_SCHEMA_VERSION,
  ACTION_EVENTS_TOPIC,
  REDACTED_PATHS_HEADER,
  SCHEMA_VERSION_HEADER,
  TRACEPARENT_HEADER,
  validateActionEvent,
} from '@agent-ledger/contracts';
import { LedgerError } from './ledger-error';
import { LedgerKafkaProducer, type KafkaLike, type KafkaProducerRecordLike, type LedgerKafkaSasl } from './ledger-kafka.producer';

// Unit level: a recording stand-in for the kafkajs client checks what is produced. The real broker
// is exercised by test/sdk/kafka-producer.int-spec.ts.

const TENANT = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

function recordingKafka(fail?: Error) {
  const sent: KafkaProducerRecordLike[] = [];
  const configs: unknown[] = [];
  const calls = { connect: 0, disconnect: 0 };
  const kafka: KafkaLike = {
    producer(config) {
      configs.push(config);
      return {
        connect: async () => void calls.connect++,
        disconnect: async () => void calls.disconnect++,
        send: async (record) => {
          if (fail) throw fail;
          sent.push(record);
          return [];
        },
      };
    },
  };
  return { kafka, sent, configs, calls };
}

const attempt = {
  sessionId: 'conv-7',
  agent: { id: 'support-bot', name: 'Support bot' },
  actor: { type: 'agent' as const, id: 'support-bot' },
  tool: { name: 'refund_order', riskLevel: 'destructive' as const },
  input: { orderId: 'A-1001', password: 'hunter2', card: '4111 1111 1111 1111' },
  approval: { required: false, decision: 'not_required' as const },
};

describe(LedgerKafkaProducer.name, () => {
  it('should produce a redacted, stamped, valid event keyed tenantId:actionId when recording', async () => {
    const { kafka, sent, configs } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

    const actionId = await producer.attempted({ ...attempt, actionId: 'refund-42', traceparent });

    expect(configs).toEqual([expect.objectContaining({ idempotent: true, maxInFlightRequests: 1 })]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: ACTION_EVENTS_TOPIC, acks: -1 });
    const [message] = sent[0].messages;
    expect(message.key).toBe(`${TENANT}:refund-42`);
    expect(message.headers).toEqual({ [SCHEMA_VERSION_HEADER]: ACTION_EVENT_SCHEMA_VERSION, [TRACEPARENT_HEADER]: traceparent, [REDACTED_PATHS_HEADER]: '/input/password,/input/card' });
    const event = JSON.parse(message.value);
    expect(validateActionEvent(event).ok).toBe(true);
    expect(actionId).toBe('refund-42');
    expect(event).toMatchObject({
      type: 'action.attempted',
      tenantId: TENANT,
      actionId: 'refund-42',
      input: { orderId: 'A-1001', password: '[REDACTED]', card: '[REDACTED]' },
    });
    expect(event.receivedAt).toEqual(expect.any(String));
    expect(event.occurredAt).toEqual(expect.any(String));
  });

  it('should key a signal by its session when it has no actionId', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT });

    await producer.handoffRequested({ sessionId: 'conv-7' });

    expect(sent[0].messages[0].key).toBe(`${TENANT}:conv-7`);
  });

  it('should produce nothing and name every invalid field when one event of a batch is invalid', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT });

    const error = await producer
      .recordMany([
        { type: 'signal.rate_limited', sessionId: 's' },
        { type: 'action.executed', tenantId: TENANT } as never,
      ])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe('invalid_event');
    expect((error as LedgerError).fields.map((f) => [f.pointer, f.code])).toEqual(
      expect.arrayContaining([
        ['/events/1/tenantId', 'forbidden'],
        ['/events/1/actionId', 'required'],
      ]),
    );
    expect(sent).toHaveLength(0);
  });

  it.each([
    ['/events/0/input/note', 'text', { input: { note: 'a\u0000b' } }],
    ['/events/0/input/a\uD800', 'text', { input: { 'a\uD800': 1 } }],
    ['/events/0/occurredAt', 'range', { occurredAt: '1900-01-01T00:00:00Z' }],
    ['/events/0/input/deep', 'depth', { input: { deep: nest(70) } }],
    ['/events/0', 'tooLarge', { input: { blob: 'x'.repeat(ACTION_EVENT_LIMITS.eventMaxBytes) } }],
  ])('should produce nothing and name %s (%s) when an event breaks the intake contract', async (pointer, code, fields) => {
    const { kafka, sent } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT });

    const error = await producer.recordMany([{ ...attempt, type: 'action.attempted', actionId: 'a-1', ...fields }, { type: 'signal.rate_limited' }]).catch((e: unknown) => e);

    expect((error as LedgerError).code).toBe('invalid_event');
    expect((error as LedgerError).fields).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: expect.stringContaining(pointer), code })]));
    expect(sent).toHaveLength(0);
  });

  it('should refuse an event that grows over the size limit once redacted, like ingest', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT, redactionPatterns: ['k'] });
    // Each "kN":0 becomes "kN":"[REDACTED]": under the input limit before, over the event limit after.
    const input = Object.fromEntries(Array.from({ length: 26_000 }, (_, i) => [`k${i}`, 0]));

    const error = await producer.recordMany([{ type: 'signal.rate_limited', input }]).catch((e: unknown) => e);

    expect((error as LedgerError).fields).toEqual([expect.objectContaining({ pointer: '', code: 'tooLarge' })]);
    expect(sent).toHaveLength(0);
  });

  it('should redact the tenant patterns as well when redactionPatterns are given', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT, redactionPatterns: ['iban'] });

    await producer.record({ type: 'signal.rate_limited', sessionId: 's', input: { iban: 'DE89370400440532013000' } });

    expect(JSON.parse(sent[0].messages[0].value).input).toEqual({ iban: '[REDACTED]' });
  });

  it('should reject with kafka_error and the events when the broker refuses the send', async () => {
    const { kafka } = recordingKafka(Object.assign(new Error('Not enough in-sync replicas'), { retriable: true }));
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT });

    const error = (await producer.record({ type: 'signal.rate_limited', sessionId: 's' }).catch((e: unknown) => e)) as LedgerError;

    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'kafka_error', retryable: true });
    expect(error.message).toContain('Not enough in-sync replicas');
    expect(error.events).toHaveLength(1);
  });

  it('should disconnect its producer and refuse new events when closed', async () => {
    const { kafka, calls } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT });
    await producer.record({ type: 'signal.rate_limited', sessionId: 's' });

    await producer.close();

    expect(calls).toEqual({ connect: 1, disconnect: 1 });
    await expect(producer.record({ type: 'signal.rate_limited', sessionId: 's' })).rejects.toMatchObject({ code: 'client_closed' });
  });

  it('should refuse a tenantId that is not a lowercase UUID when constructed', () => {
    const { kafka } = recordingKafka();
    expect(() => new LedgerKafkaProducer({ kafka, tenantId: 'acme' })).toThrow(TypeError);
    expect(() => new LedgerKafkaProducer({ kafka, tenantId: TENANT.toUpperCase() })).toThrow(TypeError);
  });

  it('should refuse ssl or sasl with a given Kafka instance, whose connection is already configured', () => {
    const { kafka } = recordingKafka();
    expect(() => new LedgerKafkaProducer({ kafka, tenantId: TENANT, ssl: true })).toThrow(/ssl and sasl apply to a client created from brokers/);
    expect(() => new LedgerKafkaProducer({ kafka, tenantId: TENANT, sasl: { mechanism: 'plain', username: 'u', password: 'p' } })).toThrow(TypeError);
  });

  it('should refuse a SASL mechanism other than plain and SCRAM when constructed', () => {
    const sasl = { mechanism: 'gssapi', username: 'u', password: 'p' } as unknown as LedgerKafkaSasl;
    expect(() => new LedgerKafkaProducer({ brokers: ['127.0.0.1:9094'], tenantId: TENANT, ssl: true, sasl })).toThrow(/sasl.mechanism must be one of/);
  });
});

function nest(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { v };
  return v;
}
