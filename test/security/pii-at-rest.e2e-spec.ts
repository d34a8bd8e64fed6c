import { randomBytes, randomUUID } from 'node:crypto';
import { ACTION_EVENTS_DLQ_TOPIC, ACTION_EVENTS_TOPIC, actionEventKey, CHECKPOINTS_TOPIC, ESCALATIONS_DLQ_TOPIC, ESCALATIONS_TOPIC, type ActionEvent } from '@agent-ledger/contracts';
import { isPiiEnvelope, type PiiEnvelope } from '@agent-ledger/integrity';
import { createKafka } from '@agent-ledger/kafka';
import { commitGroupOffsets, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import type { Admin, Consumer, IHeaders } from 'kafkajs';

const TOPICS = [ACTION_EVENTS_TOPIC, ESCALATIONS_TOPIC, CHECKPOINTS_TOPIC, ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC];

interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  /** Key, value and every header as text: what anyone with read access to the topic sees. */
  text: string;
  value: string;
}

const headerText = (headers: IHeaders | undefined) =>
  Object.entries(headers ?? {})
    .map(([k, v]) => `${k}=${(Array.isArray(v) ? v : [v]).map((x) => x?.toString() ?? '').join(',')}`)
    .join('\n');

/**
 * PII at rest (docs/privacy.md): events posted through ingest with `subject.pii` and `actor.ip`
 * cross Kafka encrypted. Every topic read raw from before the events (own group), a dead letter
 * included, holds none of the distinctive values, in values, keys or headers; the audit API shows
 * them redacted to a `read` key and in clear to a `read`+`pii` key; after erasure they can be read
 * nowhere: not through the API, not by opening the Kafka copies (their data keys are gone), not in
 * the database.
 */
describe('PII at rest', () => {
  const system = new LedgerSystem({ services: ['ingest-api', 'audit-projector', 'audit-api'] });
  const kafka = createKafka({ brokers: system.stack.kafkaBrokers, clientId: `pii-at-rest-${system.suffix}` });
  const groupId = `pii-at-rest-${system.suffix}`;
  const marker = `piimark${randomBytes(6).toString('hex')}`;
  const hex = () => randomBytes(2).toString('hex');
  const ipMarker = `2001:db8:${hex()}:${hex()}::${hex()}`;
  const subjectId = `subj-${system.suffix}`;
  const actorId = `user-${system.suffix}`;
  const markers = [marker, ipMarker];
  let tenant: TestTenant;
  let piiKey: string;
  let admin: Admin;
  let consumer: Consumer;
  const messages: RawMessage[] = [];
  const start = new Map<string, { partition: number; offset: string }[]>();

  const anEvent = (i: number, pii: Record<string, unknown> = { email: `${marker}-${i}@example.com`, name: `${marker} Jane` }) => ({
    eventId: randomUUID(),
    type: 'action.attempted',
    actionId: `pii-${system.suffix}-${i}`,
    sessionId: `s-${system.suffix}`,
    agent: { id: 'agent-1', name: 'Agent' },
    actor: { type: 'user', id: actorId, ip: ipMarker },
    tool: { name: 'crm.update', riskLevel: 'safe' },
    subject: { id: subjectId, pii },
  });

  /** Waits until n events of our actor are stored (the tenant's administrative changes are stored too). */
  const waitForOurs = (n: number) =>
    waitFor(async () => (await system.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND actor_id = $2`, [tenant.tenantId, actorId])).rows[0].n >= n, {
      timeoutMs: 90_000,
      what: `${n} events of ${actorId} stored`,
    });

  /** Reads every topic from the recorded start to its current end. */
  const readAllTopics = async (): Promise<void> => {
    const ends = new Map<string, Map<number, bigint>>();
    for (const topic of TOPICS) ends.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)])));
    await waitFor(
      () =>
        [...ends].every(([topic, parts]) =>
          [...parts].every(([partition, high]) => {
            const from = BigInt(start.get(topic)!.find((p) => p.partition === partition)?.offset ?? '0');
            if (high <= from) return true;
            return messages.some((m) => m.topic === topic && m.partition === partition && BigInt(m.offset) >= high - 1n);
          }),
        ),
      { timeoutMs: 60_000, what: 'every topic read to its end' },
    );
  };

  const expectNoMarkerOnKafka = () => {
    for (const m of messages) for (const mk of markers) expect({ at: `${m.topic}/${m.partition}@${m.offset}`, found: m.text.includes(mk) }).toEqual({ at: `${m.topic}/${m.partition}@${m.offset}`, found: false });
  };

  /** The envelopes of our subject's events on the action topics (both the topic and its DLQ). */
  const envelopesOnKafka = (): PiiEnvelope[] =>
    messages
      .filter((m) => (m.topic === ACTION_EVENTS_TOPIC || m.topic === ACTION_EVENTS_DLQ_TOPIC) && m.value.includes(tenant.tenantId))
      .map((m) => JSON.parse(m.value) as { subject?: { id: string; pii?: unknown }; actor?: { id: string; ip?: unknown } })
      .filter((e) => e.subject?.id === subjectId && e.actor?.id === actorId)
      .flatMap((e) => [e.subject?.pii, e.actor?.ip].filter(isPiiEnvelope));

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    // Our own group starts at the current end of every topic: everything after is read raw.
    for (const topic of TOPICS) {
      const ends = (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.high }));
      start.set(topic, ends);
      await commitGroupOffsets(kafka, groupId, topic, ends);
    }
    consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topics: TOPICS });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const value = message.value?.toString('utf8') ?? '';
        messages.push({ topic, partition, offset: message.offset, value, text: `${message.key?.toString('utf8') ?? ''}\n${value}\n${headerText(message.headers)}` });
      },
    });

    await system.start();
    tenant = await system.createTenant();
    const created = await system.http<{ key: string }>('POST', `${system.url('audit-api')}/v1/admin/tenants/${tenant.tenantId}/keys`, { key: system.rootKey, json: { scopes: ['read', 'pii'], name: 'dpo' } });
    expect(created.status).toBe(201);
    piiKey = created.body.key;
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await admin?.disconnect();
    await system.stop();
  });

  it('should refuse a pii scope that grants no reading', async () => {
    const answer = await system.http('POST', `${system.url('audit-api')}/v1/admin/tenants/${tenant.tenantId}/keys`, { key: system.rootKey, json: { scopes: ['pii'] } });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
  });

  it('should carry PII across Kafka only encrypted, dead letters included', async () => {
    // An envelope-shaped value from a client is encrypted like any other value (no bypass).
    const planted = { $enc: 'v1', kid: randomUUID(), iv: 'AAAAAAAAAAAAAAAA', ct: Buffer.from(`${marker}-planted`).toString('base64'), tag: 'AAAAAAAAAAAAAAAAAAAAAA==' };
    const posted = await system.postEvents(tenant.apiKeys.ingest, { events: [anEvent(0), anEvent(1), anEvent(2), anEvent(3, planted)] });
    expect({ status: posted.status, body: posted.status === 202 ? {} : posted.body }).toEqual({ status: 202, body: {} });
    await waitForOurs(4);

    // A poison copy of one of ingest's messages: its subject.pii swapped for the envelope of actor.ip
    // (another subject's key). The projector dead-letters it; the letter holds ciphertext only.
    await readAllTopics();
    const ours = messages.filter((m) => m.topic === ACTION_EVENTS_TOPIC && m.value.includes(subjectId));
    expect(ours).toHaveLength(4);
    const event = JSON.parse(ours[0].value) as ActionEvent & { subject: { pii: unknown }; actor: { ip: unknown } };
    expect(isPiiEnvelope(event.subject.pii) && isPiiEnvelope(event.actor.ip)).toBe(true);
    const poison = { ...event, eventId: randomUUID(), subject: { ...event.subject, pii: event.actor.ip } };
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: ACTION_EVENTS_TOPIC, acks: -1, messages: [{ key: actionEventKey(tenant.tenantId, poison), value: JSON.stringify(poison) }] });
    await producer.disconnect();
    const letter = await waitFor(
      async () => (await system.db.query(`SELECT reason_code, reason FROM dead_letters WHERE tenant_id = $1 AND event_id = $2`, [tenant.tenantId, poison.eventId])).rows[0],
      { timeoutMs: 30_000, what: 'the poison copy stored as a dead letter' },
    );
    expect(letter).toMatchObject({ reason_code: 'pii_envelope' });
    await system.waitForCheckpointAtHeads(tenant.tenantId);

    await readAllTopics();
    expect(messages.some((m) => m.topic === ACTION_EVENTS_DLQ_TOPIC && m.value.includes(poison.eventId))).toBe(true);
    expect(envelopesOnKafka().length).toBeGreaterThanOrEqual(8);
    expectNoMarkerOnKafka();
  }, 180_000);

  it('should show PII redacted to a read key and in clear to a read+pii key', async () => {
    type Listed = { items: { event: { subject?: { id: string; pii?: unknown }; actor?: { id: string; ip?: unknown } } }[] };
    const mine = (body: Listed) => body.items.filter((i) => i.event.subject?.id === subjectId);
    const redacted = await system.api<Listed>('GET', `/v1/events?actorId=${actorId}&limit=50`, tenant.apiKeys.read);
    expect(redacted.status).toBe(200);
    expect(mine(redacted.body)).toHaveLength(4);
    for (const i of mine(redacted.body)) {
      expect(i.event.subject!.pii).toEqual({ $redacted: 'pii scope required' });
      expect(i.event.actor!.ip).toEqual({ $redacted: 'pii scope required' });
    }
    for (const mk of markers) expect(JSON.stringify(redacted.body)).not.toContain(mk);

    const clear = await system.api<Listed>('GET', `/v1/events?actorId=${actorId}&limit=50`, piiKey);
    const pii = mine(clear.body).map((i) => i.event.subject!.pii);
    expect(pii).toEqual(expect.arrayContaining([{ email: `${marker}-0@example.com`, name: `${marker} Jane` }, expect.objectContaining({ $enc: 'v1', ct: Buffer.from(`${marker}-planted`).toString('base64') })]));
    for (const i of mine(clear.body)) expect(i.event.actor!.ip).toBe(ipMarker);

    const exportedRead = await fetch(`${system.url('audit-api')}/v1/export?format=jsonl&actorId=${actorId}`, { headers: { authorization: `Bearer ${tenant.apiKeys.read}` } });
    const readText = await exportedRead.text();
    expect(exportedRead.status).toBe(200);
    expect(readText).toContain('pii scope required');
    for (const mk of markers) expect(readText).not.toContain(mk);
    const exportedPii = await (await fetch(`${system.url('audit-api')}/v1/export?format=jsonl&actorId=${actorId}`, { headers: { authorization: `Bearer ${piiKey}` } })).text();
    expect(exportedPii).toContain(`${marker}-1@example.com`);
  }, 60_000);

  it('should leave the PII readable nowhere once the subject and the actor are erased', async () => {
    for (const id of [subjectId, actorId]) {
      const erased = await system.api('POST', `/v1/subjects/${encodeURIComponent(id)}/erase`, tenant.apiKeys.admin, {});
      expect(erased.status).toBe(200);
    }
    // Through the API, even with the pii scope.
    const after = await system.api<{ items: { event: { subject?: { id: string; pii?: unknown }; actor?: { ip?: unknown } } }[] }>('GET', `/v1/events?actorId=${actorId}&limit=50`, piiKey);
    const mine = after.body.items.filter((i) => i.event.subject?.id === subjectId);
    expect(mine).toHaveLength(4);
    for (const i of mine) expect([i.event.subject!.pii, i.event.actor!.ip]).toEqual([{ $erased: true }, { $erased: true }]);
    for (const mk of markers) expect(JSON.stringify(after.body)).not.toContain(mk);

    // The Kafka copies (topic and dead letter) cannot be opened: every key they name is shredded.
    const kids = [...new Set(envelopesOnKafka().map((e) => e.kid))];
    expect(kids.length).toBeGreaterThanOrEqual(2);
    const keys = await system.db.query(`SELECT key_id::text AS kid, wrapped_key FROM subject_keys WHERE tenant_id = $1 AND key_id = ANY($2::uuid[])`, [tenant.tenantId, kids]);
    expect(keys.rows.map((r) => r.kid).sort()).toEqual(kids.sort());
    for (const r of keys.rows) expect(r.wrapped_key).toBeNull();

    // The database never held the values in clear.
    for (const mk of markers) {
      const like = `%${mk}%`;
      const stored = await system.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND event_json LIKE $2`, [tenant.tenantId, like]);
      const letters = await system.db.query(`SELECT count(*)::int AS n FROM dead_letters WHERE tenant_id = $1 AND (convert_from(message_value, 'UTF8') LIKE $2 OR message_headers::text LIKE $2)`, [tenant.tenantId, like]);
      expect([stored.rows[0].n, letters.rows[0].n]).toEqual([0, 0]);
    }

    // New PII of the erased subject is shredded on arrival, and still crosses Kafka encrypted.
    expect((await system.postEvents(tenant.apiKeys.ingest, anEvent(9))).status).toBe(202);
    await waitForOurs(5);
    const late = await system.api<{ items: { event: { actionId?: string; subject?: { pii?: unknown } } }[] }>('GET', `/v1/events?actorId=${actorId}&limit=50`, piiKey);
    expect(late.body.items.find((i) => i.event.actionId === `pii-${system.suffix}-9`)!.event.subject!.pii).toEqual({ $erased: true });
    await readAllTopics();
    expectNoMarkerOnKafka();
  }, 90_000);
});
