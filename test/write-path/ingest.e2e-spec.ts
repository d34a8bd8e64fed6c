import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { ACTION_EVENTS_TOPIC, type ActionEvent } from '@agent-ledger/contracts';
import { signingKeyId } from '@agent-ledger/integrity';
import { BatchConsumerRunner, createKafka, type KafkaMessage } from '@agent-ledger/kafka';
import { anActionEventInput, LedgerSystem, uniqueSuffix, waitFor, WORKSPACE_ROOT, type HttpAnswer, type TestTenant } from '@agent-ledger/testing';
import { LedgerProbe } from './ledger-probe';
import { buildWorkload } from './workload';

const run = promisify(execFile);

/**
 * The authenticated write path end to end: tenants and keys through audit-api, events through
 * ingest-api into the real Kafka topic, projected by audit-projector into PostgreSQL.
 */
describe('ingest write path', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'], env: { 'audit-projector': { AUDIT_PROJECTOR_MAX_BATCH_BYTES: '32768' } } });
  const { db, suffix, rootKey } = system;
  const env = system.stack;
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'ingest-e2e' });
  const probe = new LedgerProbe(db, kafka, { databaseUrl: env.databaseUrl, groupId: system.projectorGroup, publicKey: system.signing.publicKey, keyId: signingKeyId(system.signing.publicKey) });
  let tenant: TestTenant;
  const auditApi = { get url() { return system.url('audit-api'); } };
  const ingestApi = { get url() { return system.url('ingest-api'); } };

  beforeAll(async () => {
    await system.start();
    tenant = await createTenant(`acme-${suffix}`);
  });

  afterAll(() => system.stop());

  describe('tenants and keys', () => {
    it('should create a tenant with one key per scope, shown once and stored only as a hash', async () => {
      expect(tenant.name).toBe(`acme-${suffix}`);
      expect(tenant.apiKeys.ingest).toMatch(/^alk_ingest_/);
      expect(tenant.apiKeys.read).toMatch(/^alk_read_/);
      expect(tenant.apiKeys.admin).toMatch(/^alk_admin_/);
      const { rows } = await db.query(`SELECT key_hash, key_prefix, scopes FROM api_keys WHERE tenant_id = $1 ORDER BY scopes`, [tenant.tenantId]);
      expect(rows.map((r) => r.scopes)).toEqual([['admin'], ['ingest'], ['read']]);
      const stored = JSON.stringify(rows.map((r) => [r.key_hash.toString('latin1'), r.key_hash.toString('hex'), r.key_prefix]));
      for (const raw of Object.values(tenant.apiKeys)) expect(stored).not.toContain(raw.slice(-30));

      const listed = await http('GET', `${auditApi.url}/v1/admin/tenants/${tenant.tenantId}/keys`, { key: rootKey });
      expect(listed.status).toBe(200);
      expect(JSON.stringify(listed.body)).not.toContain(tenant.apiKeys.admin.slice(-30));
    });

    it('should refuse tenant administration when the root key is missing or wrong', async () => {
      const missing = await http('POST', `${auditApi.url}/v1/admin/tenants`, { json: { name: `x-${suffix}` } });
      const wrong = await http('POST', `${auditApi.url}/v1/admin/tenants`, { key: randomBytes(32).toString('base64url'), json: { name: `x-${suffix}` } });
      const tenantKey = await http('POST', `${auditApi.url}/v1/admin/tenants`, { key: tenant.apiKeys.admin, json: { name: `x-${suffix}` } });
      for (const answer of [missing, wrong, tenantKey]) expect(answer.status).toBe(401);
      expect(missing.body).toMatchObject({ error: { code: 'missing_api_key', field: 'Authorization' } });
      expect(wrong.body).toMatchObject({ error: { code: 'invalid_root_key' } });
      expect((await db.query(`SELECT 1 FROM tenants WHERE name = $1`, [`x-${suffix}`])).rowCount).toBe(0);
    });

    it('should answer 409 when the tenant name is taken and 400 naming the field when it is invalid', async () => {
      const taken = await http('POST', `${auditApi.url}/v1/admin/tenants`, { key: rootKey, json: { name: tenant.name.toUpperCase() } });
      expect(taken).toMatchObject({ status: 409, body: { error: { code: 'tenant_exists', field: '/name' } } });
      const invalid = await http('POST', `${auditApi.url}/v1/admin/tenants`, { key: rootKey, json: { name: 42, owner: 'x' } });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ error: { code: 'validation_failed', errors: expect.arrayContaining([expect.objectContaining({ field: '/name' }), expect.objectContaining({ field: '/owner' })]) } });
    });

    it('should create a key with the given scopes and reject it everywhere once revoked', async () => {
      const created = await http<{ keyId: string; key: string; scopes: string[] }>('POST', `${auditApi.url}/v1/admin/tenants/${tenant.tenantId}/keys`, {
        key: rootKey,
        json: { scopes: ['ingest', 'read'], name: 'agent fleet' },
      });
      expect(created.status).toBe(201);
      expect(created.body.scopes).toEqual(['ingest', 'read']);
      const event = () => anActionEventInput({ type: 'signal.rate_limited', sessionId: `keys-${suffix}` });
      expect((await postEvents(created.body.key, event())).status).toBe(202);

      const revoked = await http('DELETE', `${auditApi.url}/v1/admin/keys/${created.body.keyId}`, { key: rootKey });
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).toEqual(expect.any(String));
      // Revocation is pushed to every service over Redis; the cache TTL (5 s) only bounds a missed message.
      const refused = await waitFor(
        async () => {
          const answer = await postEvents(created.body.key, event());
          return answer.status === 202 ? undefined : answer;
        },
        { timeoutMs: 2_000, intervalMs: 50, what: 'the revoked key to be refused' },
      );
      expect(refused).toMatchObject({ status: 401, body: { error: { code: 'invalid_api_key', field: 'Authorization' } } });

      const unknown = await http('DELETE', `${auditApi.url}/v1/admin/keys/00000000-0000-4000-8000-000000000000`, { key: rootKey });
      expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'key_not_found' } } });
      const badScopes = await http('POST', `${auditApi.url}/v1/admin/tenants/${tenant.tenantId}/keys`, { key: rootKey, json: { scopes: ['ingest', 'superuser'] } });
      expect(badScopes).toMatchObject({ status: 400, body: { error: { field: '/scopes/1' } } });
      const noTenant = await http('POST', `${auditApi.url}/v1/admin/tenants/00000000-0000-4000-8000-000000000000/keys`, { key: rootKey, json: { scopes: ['read'] } });
      expect(noTenant).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found', field: 'tenantId' } } });
    });
  });

  describe('POST /v1/events', () => {
    it('should store 2,000 events for 200 actions exactly once in the right states when posted shuffled with duplicates while the projector is SIGKILLed', async () => {
      // A tenant of its own: nothing but the workload is stored under it.
      const own = await createTenant(`workload-${suffix}`);
      const workload = buildWorkload(own.tenantId, 200, `pii${suffix}`, '2001:db8:1:2');
      const inputs = workload.messages.map((m) => toInput(JSON.parse(m.value) as ActionEvent));
      expect(inputs).toHaveLength(2_000);

      // 20 requests of 100, four at a time; the projector is killed once a part is stored.
      const batches = Array.from({ length: 20 }, (_, i) => inputs.slice(i * 100, i * 100 + 100));
      let killed = false;
      for (let i = 0; i < batches.length; i += 4) {
        const answers = await Promise.all(batches.slice(i, i + 4).map((events) => postEvents(own.apiKeys.ingest, { events })));
        for (const a of answers) expect(a.status).toBe(202);
        if (!killed && (await probe.countEvents(own.tenantId)) > 0) {
          await system.restart('audit-projector', 'SIGKILL');
          killed = true;
        }
      }
      expect(killed).toBe(true);

      await probe.waitUntilProjected(own.tenantId, workload);
      await probe.expectStoredExactlyOnce(own.tenantId, workload);
      await probe.expectActionStates(own.tenantId, workload);
      await probe.expectGapFreeChains(own.tenantId);
      // + the tenant.created change the ledger recorded about itself.
      expect(await probe.verifyTenant(own.tenantId, { waitForCheckpoint: true })).toMatchObject({ ok: true, eventsChecked: workload.distinct.length + 1 });
    });

    it('should answer each error status for a realistic bad request and publish nothing of a rejected request', async () => {
      const before = await topicEnds();
      const marker = `rejected-${suffix}`;
      const bad = (n: number) => anActionEventInput({ type: 'action.attempted', sessionId: marker, actionId: `${marker}-${n}` });

      // 400: every invalid field named by JSON pointer; the valid event of the same request is not published.
      const invalid = await postEvents(tenant.apiKeys.ingest, {
        events: [bad(1), { ...bad(2), tool: { name: 'refund_order', riskLevel: 'apocalyptic' }, occurredAt: 'yesterday' }, { ...bad(3), tenantId: 'someone-else' }],
      });
      expect(invalid.status).toBe(400);
      const { error } = invalid.body as { error: { code: string; field: string; errors: { field: string }[] } };
      expect(error.code).toBe('validation_failed');
      expect(error.field).toBe(error.errors[0].field);
      const fields = error.errors.map((e) => e.field).sort();
      expect(fields).toEqual(['/events/1/occurredAt', '/events/1/tool/riskLevel', '/events/2/tenantId']);

      const malformed = await http('POST', `${ingestApi.url}/v1/events`, { key: tenant.apiKeys.ingest, raw: `{"events":[${JSON.stringify(bad(4))}`, contentType: 'application/json' });
      expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });

      const unknownKey = await postEvents(`alk_ingest_${randomBytes(32).toString('base64url').slice(0, 43)}`, bad(5));
      expect(unknownKey).toMatchObject({ status: 401, body: { error: { code: 'invalid_api_key', field: 'Authorization' } } });
      expect(unknownKey.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const noKey = await http('POST', `${ingestApi.url}/v1/events`, { json: bad(6) });
      expect(noKey).toMatchObject({ status: 401, body: { error: { code: 'missing_api_key' } } });

      const readKey = await postEvents(tenant.apiKeys.read, bad(7));
      expect(readKey).toMatchObject({ status: 403, body: { error: { code: 'insufficient_scope', field: 'Authorization' } } });

      const hugeBody = await postEvents(tenant.apiKeys.ingest, { events: [{ ...bad(8), input: { blob: 'x'.repeat(1_100_000) } }] });
      expect(hugeBody).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
      const tooMany = await postEvents(tenant.apiKeys.ingest, { events: Array.from({ length: 1_001 }, (_, i) => ({ type: 'signal.rate_limited', sessionId: `${marker}-${i}` })) });
      expect(tooMany).toMatchObject({ status: 413, body: { error: { code: 'too_many_events', field: '/events' } } });

      const asText = await http('POST', `${ingestApi.url}/v1/events`, { key: tenant.apiKeys.ingest, raw: JSON.stringify(bad(9)), contentType: 'text/plain' });
      expect(asText).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type', field: 'Content-Type' } } });
      const asForm = await http('POST', `${ingestApi.url}/v1/events`, { key: tenant.apiKeys.ingest, raw: 'type=action.attempted', contentType: 'application/x-www-form-urlencoded' });
      expect(asForm.status).toBe(415);

      // A good request after them, carrying secrets: it is the only one of this tenant on the topic since.
      const sentinel = anActionEventInput({
        type: 'action.attempted',
        sessionId: marker,
        actionId: `${marker}-ok`,
        input: { orderId: 'A-1', password: 'hunter2', card: 'paid with 4111 1111 1111 1111', headers: { Authorization: 'Bearer abc' } },
      });
      const accepted = await postEvents(tenant.apiKeys.ingest, sentinel);
      expect(accepted).toMatchObject({ status: 202, body: { accepted: [{ eventId: sentinel.eventId }] } });

      const published = await readBetween(before, await topicEnds(), (m) => m.key?.toString().startsWith(`${tenant.tenantId}:`) ?? false);
      expect(published.map((m) => m.key?.toString())).toEqual([`${tenant.tenantId}:${marker}-ok`]);
      const value = published[0].value!.toString();
      const event = JSON.parse(value) as ActionEvent;
      expect(event).toMatchObject({ eventId: sentinel.eventId, tenantId: tenant.tenantId, input: { orderId: 'A-1', password: '[REDACTED]', headers: { Authorization: '[REDACTED]' } } });
      expect(event.receivedAt).toEqual(expect.any(String));
      expect(value).not.toContain('hunter2');
      expect(value).not.toContain('4111 1111 1111 1111');
      expect(published[0].headers?.['x-ledger-redacted']?.toString().split(',').sort()).toEqual(['/input/card', '/input/headers/Authorization', '/input/password']);
    });

    it('should answer 503 within 5 s while Kafka is stopped and accept again without a restart once it is back', async () => {
      await run('bash', ['scripts/stack.sh', 'stop', 'kafka'], { cwd: WORKSPACE_ROOT, timeout: 60_000 });
      let down: HttpAnswer;
      try {
        const [host, port] = env.kafkaBrokers[0].split(':');
        if (await portOpen(host, Number(port))) throw new Error(`Kafka at ${env.kafkaBrokers[0]} is still up: it was not started by this checkout's scripts/stack.sh, which this test must own to stop it`);
        down = await postEvents(tenant.apiKeys.ingest, anActionEventInput({ type: 'signal.rate_limited', sessionId: `outage-${suffix}` }));
      } finally {
        await run('bash', ['scripts/stack.sh', 'start', 'kafka'], { cwd: WORKSPACE_ROOT, timeout: 120_000 });
      }
      expect(down).toMatchObject({ status: 503, body: { error: { code: 'kafka_unavailable' } } });
      expect(down.ms).toBeLessThan(5_000);
      expect(down.headers.get('retry-after')).toMatch(/^\d+$/);

      const after = anActionEventInput({ type: 'action.attempted', sessionId: `outage-${suffix}`, actionId: `outage-${suffix}` });
      const back = await waitFor(
        async () => {
          const answer = await postEvents(tenant.apiKeys.ingest, after);
          return answer.status === 202 ? answer : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: 'ingest to accept events again' },
      );
      expect(back.body).toEqual({ accepted: [{ eventId: after.eventId }] });
      await waitFor(async () => (await db.query(`SELECT 1 FROM audit_events WHERE tenant_id = $1 AND event_id = $2`, [tenant.tenantId, after.eventId])).rowCount === 1, {
        timeoutMs: 60_000,
        what: 'the event posted after the outage to be projected',
      });
    });
  });

  it('should serve an OpenAPI document describing POST /v1/events and its error answers', async () => {
    const doc = (await (await fetch(`${ingestApi.url}/docs-json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>> };
    const op = doc.paths['/v1/events'].post;
    expect(Object.keys(op.responses).sort()).toEqual(['202', '400', '401', '403', '413', '415', '429', '503']);
    expect(op.requestBody).toBeDefined();
  });

  // ---------------------------------------------------------------------------------------------

  const createTenant = (name: string) => system.createTenant(name);
  const postEvents = (key: string, body: unknown): Promise<HttpAnswer> => system.postEvents(key, body);
  const http = <T = Record<string, unknown>>(method: string, url: string, opts: { key?: string; json?: unknown; raw?: string; contentType?: string } = {}) => system.http<T>(method, url, opts);

  async function topicEnds(): Promise<Map<number, string>> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return new Map((await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC)).map((o) => [o.partition, o.high]));
    } finally {
      await admin.disconnect();
    }
  }

  /** Messages of the action events topic between two sets of offsets (all partitions read to `to`) that match. */
  async function readBetween(from: Map<number, string>, to: Map<number, string>, match: (m: KafkaMessage) => boolean): Promise<KafkaMessage[]> {
    const found: KafkaMessage[] = [];
    const next = new Map(from);
    const runner = new BatchConsumerRunner(kafka, {
      groupId: `ingest-e2e-reader-${uniqueSuffix()}`,
      topics: [ACTION_EVENTS_TOPIC],
      handleBatch: async (b) => {
        found.push(...b.messages.filter(match));
        const last = b.messages.at(-1);
        if (last) next.set(b.partition, (BigInt(last.offset) + 1n).toString());
      },
      storedOffsets: async (assigned) => assigned.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition, offset: from.get(partition) ?? '0' }))),
    });
    await runner.start();
    try {
      await waitFor(() => [...to].every(([p, end]) => BigInt(next.get(p) ?? '0') >= BigInt(end)), { timeoutMs: 30_000, what: 'every partition read up to its end offset' });
    } finally {
      await runner.stop();
    }
    return found;
  }
});

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** What a producer would post: the stored event without the fields ingest stamps. */
function toInput(event: ActionEvent): Record<string, unknown> {
  const { tenantId: _tenantId, receivedAt: _receivedAt, ...input } = event;
  return input;
}
