import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import {
  ACTION_EVENT_SCHEMA_VERSION,
  ACTION_EVENTS_TOPIC,
  SCHEMA_VERSION_HEADER,
  validateActionEvent,
  type ActionEvent,
} from '@agent-ledger/contracts';
import { LedgerKafkaProducer } from '@agent-ledger/sdk';
import { stackEnv, uniqueSuffix, waitFor } from '@agent-ledger/testing';

// The direct mode of the SDK against the real broker of the local stack (scripts/stack.sh up):
// events are produced to the real action-events topic under a fresh tenant, then read back from
// the offsets the topic had before, by a consumer group of their own.

interface Received {
  key: string;
  headers: Record<string, string>;
  event: ActionEvent;
}

describe('LedgerKafkaProducer against the real broker', () => {
  const { kafkaBrokers } = stackEnv();
  const kafka = new Kafka({ clientId: 'sdk-int-spec', brokers: kafkaBrokers, logLevel: logLevel.WARN });

  /** Offsets of every partition of the topic now: what is produced afterwards is read from there. */
  async function currentOffsets(): Promise<{ partition: number; offset: string }[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(ACTION_EVENTS_TOPIC)) throw new Error(`${ACTION_EVENTS_TOPIC} does not exist: run "bash scripts/stack.sh up"`);
      return (await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC)).map(({ partition, offset }) => ({ partition, offset }));
    } finally {
      await admin.disconnect();
    }
  }

  /** Reads the topic from `from` until `count` events of `tenantId` arrived. */
  async function readBack(from: { partition: number; offset: string }[], tenantId: string, count: number): Promise<Received[]> {
    const received: Received[] = [];
    const consumer: Consumer = kafka.consumer({ groupId: `sdk-int-spec-${uniqueSuffix()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: ACTION_EVENTS_TOPIC, fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ message }: { message: KafkaMessage }) => {
          const event = JSON.parse(message.value!.toString('utf8')) as ActionEvent;
          if (event.tenantId !== tenantId) return;
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          received.push({ key: message.key!.toString('utf8'), headers, event });
        },
      });
      // On a broker that just started, the group coordinator may still be loading: kafkajs restarts the
      // consumer and refuses seeks until its group is initialized again, so seek once it accepts.
      await waitFor(() => {
        for (const { partition, offset } of from) consumer.seek({ topic: ACTION_EVENTS_TOPIC, partition, offset });
        return true;
      }, { timeoutMs: 30_000, what: 'the consumer accepting seeks' });
      await waitFor(() => received.length >= count, { timeoutMs: 45_000, what: `${count} events of tenant ${tenantId}` });
      return received;
    } finally {
      await consumer.disconnect();
    }
  }

  const context = {
    sessionId: `conv-${uniqueSuffix()}`,
    agent: { id: 'billing-agent', name: 'Billing agent', version: '2.0.0' },
    actor: { type: 'agent' as const, id: 'billing-agent' },
  };
  const tool = { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' as const };

  it('should read back valid, redacted events keyed tenantId:actionId when produced with a Kafka instance', async () => {
    const tenantId = randomUUID();
    const from = await currentOffsets();
    const producer = new LedgerKafkaProducer({ kafka, tenantId });

    const ids: string[] = [];
    try {
      const actionId = await producer.attempted({
        ...context,
        tool,
        input: { orderId: 'A-1001', amount: 25, apiKey: 'sk_live_123', card: '4111-1111-1111-1111' },
        approval: { required: true },
      });
      ids.push(
        await producer.executed({ ...context, actionId, tool, approval: { required: true, decision: 'approved', approvedBy: 'lead' }, durationMs: 80 }),
        await producer.handoffRequested({ ...context }),
      );

      const received = await readBack(from, tenantId, 3);

      expect(received).toHaveLength(3);
      const byType = new Map(received.map((r) => [r.event.type, r]));
      const attempted = byType.get('action.attempted')!;
      const executed = byType.get('action.executed')!;
      const handoff = byType.get('signal.handoff_requested')!;
      expect(attempted.key).toBe(`${tenantId}:${actionId}`);
      expect(executed.key).toBe(`${tenantId}:${actionId}`);
      expect(handoff.key).toBe(`${tenantId}:${context.sessionId}`);
      expect([executed.event.eventId, handoff.event.eventId]).toEqual(ids);
      for (const r of received) {
        expect(validateActionEvent(r.event)).toEqual({ ok: true, value: r.event });
        expect(r.headers[SCHEMA_VERSION_HEADER]).toBe(ACTION_EVENT_SCHEMA_VERSION);
        expect(r.event.tenantId).toBe(tenantId);
      }
      expect(attempted.event.actionId).toBe(actionId);
      expect(attempted.event.input).toEqual({ orderId: 'A-1001', amount: 25, apiKey: '[REDACTED]', card: '[REDACTED]' });
    } finally {
      await producer.close();
    }
  });

  it('should create its own kafkajs client and deliver when given brokers', async () => {
    const tenantId = randomUUID();
    const from = await currentOffsets();
    const producer = new LedgerKafkaProducer({ brokers: kafkaBrokers, clientId: 'sdk-int-spec-brokers', tenantId });

    try {
      const eventId = await producer.changeRecorded({
        ...context,
        resource: { type: 'escalation_rule', id: 'rule-1' },
        changes: { before: { enabled: false }, after: { enabled: true, webhookSecret: 'whsec_1' } },
      });

      const [received] = await readBack(from, tenantId, 1);

      expect(received.key).toBe(`${tenantId}:${context.sessionId}`);
      expect(received.event).toMatchObject({ eventId, type: 'change.recorded', tenantId });
      expect(received.event.changes).toEqual({ before: { enabled: false }, after: { enabled: true, webhookSecret: '[REDACTED]' } });
      expect(validateActionEvent(received.event).ok).toBe(true);
    } finally {
      await producer.close();
    }
  });

  it('should deliver messages and the task lifecycle with their typed fields when produced directly', async () => {
    const tenantId = randomUUID();
    const from = await currentOffsets();
    const producer = new LedgerKafkaProducer({ kafka, tenantId });
    const plan = { planId: 'plan-7', stepId: 'step-1', parentPlanId: 'plan-root' };
    const budget = { used: 1.25, limit: 10, unit: 'usd' };

    try {
      const ids = [
        await producer.taskQueued({ ...context, taskId: 'task-9', plan }),
        await producer.message({ ...context, taskId: 'task-9', message: { role: 'agent', content: 'Refund issued', tokens: 3, model: 'model-a' } }),
        await producer.taskFailed({ ...context, taskId: 'task-9', plan, budget, error: { message: 'budget exhausted' } }),
      ];

      const received = await readBack(from, tenantId, 3);

      expect(received.map((r) => r.event.eventId).sort()).toEqual([...ids].sort());
      const byType = new Map(received.map((r) => [r.event.type, r.event]));
      expect(byType.get('task.queued')).toMatchObject({ taskId: 'task-9', plan });
      expect(byType.get('message.recorded')).toMatchObject({ taskId: 'task-9', message: { role: 'agent', content: 'Refund issued', tokens: 3, model: 'model-a' } });
      expect(byType.get('task.failed')).toMatchObject({ taskId: 'task-9', plan, budget, error: { message: 'budget exhausted' } });
      // No actionId: keyed by the session, so one task's events keep their order.
      for (const r of received) {
        expect(r.key).toBe(`${tenantId}:${context.sessionId}`);
        expect(validateActionEvent(r.event).ok).toBe(true);
      }
    } finally {
      await producer.close();
    }
  });
});
