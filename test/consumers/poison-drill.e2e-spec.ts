import { randomUUID } from 'node:crypto';
import {
  ACTION_EVENTS_DLQ_TOPIC,
  ACTION_EVENTS_TOPIC,
  actionEventKey,
  ESCALATIONS_DLQ_TOPIC,
  ESCALATIONS_TOPIC,
  escalationEventKey,
  type EscalationOpenedEvent,
} from '@agent-ledger/contracts';
import { createKafka } from '@agent-ledger/kafka';
import { anActionEvent, httpStatus, LedgerSystem, uniqueSuffix, waitFor, type TestTenant } from '@agent-ledger/testing';
import type { Producer } from 'kafkajs';
import { DlqReader, type ReadLetter } from './dlq-reader';

const APPLIED_WITHIN_MS = 10_000;

interface DeadLetterView {
  id: string;
  consumerGroup: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  errorClass: string;
  reasonCode: string;
  reason: string;
  replayedAt: string | null;
  replayCount: number;
}

/**
 * Poison drill: messages a consumer cannot apply, published straight to the real topics (bypassing
 * the APIs) among valid messages of other tenants, in the same partition. Every consumer applies the
 * valid ones within 10 s, dead-letters the poison with its error headers, and stays ready; the
 * letters are visible to their tenant through audit-api and can be replayed.
 */
describe('poison drill', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'audit-projector', 'escalation-worker', 'notifier'] });
  const kafka = createKafka({ brokers: system.stack.kafkaBrokers, clientId: `poison-drill-${system.suffix}` });
  const dlq = new DlqReader(kafka, `poison-drill-dlq-${uniqueSuffix()}`, [ESCALATIONS_TOPIC]);
  let producer: Producer;
  let a: TestTenant;
  let b: TestTenant;
  let poisoned: TestTenant;

  beforeAll(async () => {
    await system.start();
    [a, b, poisoned] = await Promise.all([system.createTenant(), system.createTenant(), system.createTenant()]);
    for (const t of [a, b, poisoned]) {
      const answer = await system.api('PUT', '/v1/channels', t.apiKeys.admin, { email: { recipients: ['ops@example.com'] }, webhooks: [] });
      expect(answer.status).toBe(200);
    }
    producer = kafka.producer();
    await producer.connect();
    await dlq.start();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await dlq.stop();
    await system.stop();
  });

  /** Publishes raw messages to one partition in one request; returns their offsets. */
  async function publish(topic: string, messages: { key: string; value: string }[], partition = 0): Promise<string[]> {
    const [meta] = await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, partition })) });
    return messages.map((_, i) => (BigInt(meta.baseOffset!) + BigInt(i)).toString());
  }

  const count = async (sql: string, params: unknown[]) => Number((await system.db.query(sql, params)).rows[0].n);
  const letterOf = (letters: ReadLetter[], group: string) => letters.find((l) => l.group === group);
  const waitForLetter = (topic: string, offset: string, group: string) =>
    waitFor(() => letterOf(dlq.of(topic, 0, offset), group), { timeoutMs: APPLIED_WITHIN_MS, what: `the letter of ${topic}/0@${offset} from ${group}` });

  async function expectAllReady(): Promise<void> {
    for (const name of ['audit-projector', 'escalation-worker', 'notifier'] as const) {
      expect({ name, status: await httpStatus(`${system.url(name)}/health/ready`) }).toEqual({ name, status: 200 });
    }
  }

  it('should apply the valid action events and dead-letter the poison ones when both share a partition', async () => {
    const valid = [a, b, a, b, a, b].map((t) => anActionEvent(t.tenantId, { type: 'signal.handoff_requested', sessionId: `s-${randomUUID()}` }));
    const nul = anActionEvent(poisoned.tenantId, { sessionId: 'a\u0000b' });
    const started = Date.now();
    const offsets = await publish(ACTION_EVENTS_TOPIC, [
      ...valid.slice(0, 3).map((e) => ({ key: actionEventKey(e.tenantId, e), value: JSON.stringify(e) })),
      { key: `${poisoned.tenantId}:broken`, value: `{"tenantId":"${poisoned.tenantId}","type":` },
      { key: actionEventKey(nul.tenantId, nul), value: JSON.stringify(nul) },
      ...valid.slice(3).map((e) => ({ key: actionEventKey(e.tenantId, e), value: JSON.stringify(e) })),
    ]);
    const [brokenAt, nulAt] = [offsets[3], offsets[4]];

    // The projector stores every valid event; the worker opens one escalation per handoff, which the projector stores.
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM audit_events WHERE event_id = ANY($1::uuid[])`, [valid.map((e) => e.eventId)])) === 6, {
      timeoutMs: APPLIED_WITHIN_MS,
      what: 'the 6 valid events stored',
    });
    // The worker applied them: one escalation opened per handoff, published within the same 10 s.
    const sessions = new Set(valid.map((e) => e.sessionId));
    const openedFor = () => new Set(dlq.values.filter((v) => v.value.includes('"escalation.opened"')).map((v) => JSON.parse(v.value) as { sessionId: string }).filter((e) => sessions.has(e.sessionId)).map((e) => e.sessionId));
    await waitFor(() => openedFor().size === 6, { timeoutMs: Math.max(1_000, started + APPLIED_WITHIN_MS - Date.now()), what: 'the worker opening 6 escalations' });
    // …which the projector stores in turn (a second hop).
    await waitFor(
      async () => (await count(`SELECT count(*) AS n FROM escalations WHERE tenant_id = ANY($1::uuid[]) AND session_id = ANY($2::text[])`, [[a.tenantId, b.tenantId], [...sessions]])) === 6,
      { timeoutMs: APPLIED_WITHIN_MS, what: 'the 6 escalations stored by the projector' },
    );

    const brokenByProjector = await waitForLetter(ACTION_EVENTS_TOPIC, brokenAt, system.projectorGroup);
    expect(brokenByProjector).toMatchObject({ dlqTopic: ACTION_EVENTS_DLQ_TOPIC, code: 'invalid_json', errorClass: 'invalid', tenant: poisoned.tenantId });
    const brokenByWorker = await waitForLetter(ACTION_EVENTS_TOPIC, brokenAt, system.escalationGroup);
    expect(brokenByWorker).toMatchObject({ code: 'invalid_json', errorClass: 'invalid' });
    // Refused at intake (schema) or by PostgreSQL (a data error): never stored, never retried forever.
    const nulByProjector = await waitForLetter(ACTION_EVENTS_TOPIC, nulAt, system.projectorGroup);
    expect(nulByProjector.tenant).toBe(poisoned.tenantId);
    expect(nulByProjector.value?.toString()).toBe(JSON.stringify(nul));
    expect([`invalid:schema`, `data:sqlstate_22021`, `data:sqlstate_22p05`, 'invalid:unstorable']).toContain(`${nulByProjector.errorClass}:${nulByProjector.code}`);
    expect(await count(`SELECT count(*) AS n FROM audit_events WHERE event_id = $1`, [nul.eventId])).toBe(0);
    await expectAllReady();
  });

  it('should apply the valid escalation events and dead-letter the poison ones in the projector, the worker and the notifier', async () => {
    const valid = [a, b, a, b].map((t) => opened(t));
    const nul = opened(poisoned, { summary: 'a\u0000b' });
    const started = Date.now();
    const offsets = await publish(ESCALATIONS_TOPIC, [
      ...valid.slice(0, 2).map((e) => ({ key: escalationEventKey(e.tenantId, e.sessionId), value: JSON.stringify(e) })),
      { key: escalationEventKey(nul.tenantId, nul.sessionId), value: JSON.stringify(nul) },
      { key: `${poisoned.tenantId}:broken`, value: 'not json at all' },
      ...valid.slice(2).map((e) => ({ key: escalationEventKey(e.tenantId, e.sessionId), value: JSON.stringify(e) })),
    ]);
    const [nulAt, brokenAt] = [offsets[2], offsets[3]];
    const ids = valid.map((e) => e.escalationId);

    await waitFor(async () => (await count(`SELECT count(*) AS n FROM escalations WHERE escalation_id = ANY($1::uuid[])`, [ids])) === 4, {
      timeoutMs: APPLIED_WITHIN_MS,
      what: 'the 4 valid escalations stored by the projector',
    });
    await waitFor(async () => (await count(`SELECT count(DISTINCT escalation_id) AS n FROM deliveries WHERE escalation_id = ANY($1::uuid[])`, [ids])) === 4, {
      timeoutMs: Math.max(1_000, started + APPLIED_WITHIN_MS - Date.now()),
      what: 'deliveries planned by the notifier for the 4 valid escalations',
    });

    const projectorGroup = `${system.projectorGroup}-escalations`;
    for (const group of [projectorGroup, system.notifierGroup]) {
      const letter = await waitForLetter(ESCALATIONS_TOPIC, nulAt, group);
      expect(letter).toMatchObject({ dlqTopic: ESCALATIONS_DLQ_TOPIC, tenant: poisoned.tenantId });
      expect([`invalid:schema`, `data:sqlstate_22021`, `data:sqlstate_22p05`]).toContain(`${letter.errorClass}:${letter.code}`);
    }
    for (const group of [projectorGroup, system.notifierGroup, `${system.escalationGroup}-state`]) {
      expect(await waitForLetter(ESCALATIONS_TOPIC, brokenAt, group)).toMatchObject({ code: 'invalid_json', errorClass: 'invalid', tenant: poisoned.tenantId });
    }
    expect(await count(`SELECT count(*) AS n FROM escalations WHERE escalation_id = $1`, [nul.escalationId])).toBe(0);
    await expectAllReady();
  });

  it('should show the letters to their tenant only and replay them when asked through audit-api', async () => {
    const list = () => system.api<{ items: DeadLetterView[] }>('GET', '/v1/dead-letters?limit=100', poisoned.apiKeys.read);
    // Consumers of other suites on the shared broker may dead-letter the same messages: only this system's groups count.
    const groups = [system.projectorGroup, system.escalationGroup, `${system.projectorGroup}-escalations`, system.notifierGroup];
    const items = await waitFor(
      async () => {
        const answer = await list();
        expect(answer.status).toBe(200);
        const ours = answer.body.items.filter((i) => groups.includes(i.consumerGroup));
        return groups.every((g) => ours.some((i) => i.consumerGroup === g)) ? ours : undefined;
      },
      { timeoutMs: 20_000, what: "the poisoned tenant's letters of every consumer listed by audit-api" },
    );
    expect(items[0]).toEqual(expect.objectContaining({ errorClass: expect.any(String), reasonCode: expect.any(String), reason: expect.any(String), replayCount: 0 }));
    const others = await system.api<{ items: DeadLetterView[] }>('GET', '/v1/dead-letters?limit=100', a.apiKeys.read);
    expect(others.body.items).toEqual([]);

    const target = items.find((i) => i.sourceTopic === ACTION_EVENTS_TOPIC && i.consumerGroup === system.projectorGroup)!;
    expect((await system.api('POST', '/v1/dead-letters/replay', poisoned.apiKeys.read, { ids: [target.id] })).status).toBe(403);
    const replay = await system.api('POST', '/v1/dead-letters/replay', poisoned.apiKeys.admin, { ids: [target.id] });
    expect(replay).toMatchObject({ status: 200, body: expect.objectContaining({ replayed: 1 }) });
    const after = (await list()).body.items.find((i) => i.id === target.id)!;
    expect(after).toMatchObject({ replayCount: 1, replayedAt: expect.any(String) });
    // Still not appliable: replayed to its source topic, it is dead-lettered again, and nothing stalls.
    await waitFor(() => dlq.letters.filter((l) => l.group === system.projectorGroup && l.tenant === poisoned.tenantId && l.sourceOffset !== target.sourceOffset).length >= 2, {
      timeoutMs: APPLIED_WITHIN_MS,
      what: 'the replayed message dead-lettered again',
    });
    await expectAllReady();
  });

  function opened(t: TestTenant, over: Partial<EscalationOpenedEvent> = {}): EscalationOpenedEvent {
    return {
      type: 'escalation.opened',
      eventId: randomUUID(),
      escalationId: randomUUID(),
      tenantId: t.tenantId,
      sessionId: `sess-${uniqueSuffix()}`,
      occurredAt: new Date().toISOString(),
      reason: 'action_failed',
      severity: 'error',
      summary: 'refund_order failed for a destructive tool',
      customerMessage: "I've connected you with a human agent.",
      triggeringEventIds: [randomUUID()],
      count: 1,
      ...over,
    };
  }
});
