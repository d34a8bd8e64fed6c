import { randomUUID } from 'node:crypto';
import { ACTION_EVENTS_DLQ_TOPIC, ACTION_EVENTS_TOPIC, actionEventKey, ESCALATIONS_DLQ_TOPIC, SCHEMA_VERSION_HEADER } from '@agent-ledger/contracts';
import { createKafka, LedgerProducer } from '@agent-ledger/kafka';
import { anActionEvent, anActionEventInput, expectResponseMatchesOpenApi, LedgerSystem, matchPathTemplate, waitFor, type HttpAnswer, type OpenApiDocument, type TestTenant } from '@agent-ledger/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { TestHttpReceiver } from '../notifications/receivers';

/** The retention queue (libs/contracts RETENTION_QUEUE); this system's own BullMQ prefix, so no retention worker takes its jobs. */
const RETENTION_QUEUE = 'agent-ledger.retention';

/** The paths of audit-api's management endpoints: administration, channels, deliveries, dead letters, data subjects, redaction, reports, retention, health. */
const MANAGEMENT_PATHS = /^\/(v1\/(admin|channels|deliveries|dead-letters|subjects|redaction|reports|retention)(\/|$)|health\/|metrics$)/;

type Body = Record<string, any>;

/**
 * The answers of audit-api's management endpoints against the OpenAPI document audit-api serves
 * (/docs-json): every endpoint is called for real (a tenant of its own, real Kafka, PostgreSQL, Redis,
 * the built projector, ingest and notifier, a webhook receiver on loopback) and each answer is checked
 * against the schema declared for its method, path and status.
 */
describe('OpenAPI response schemas of the management endpoints', () => {
  const receiver = new TestHttpReceiver();
  const system = new LedgerSystem({
    services: ['audit-api', 'ingest-api', 'audit-projector', 'notifier'],
    env: {
      'audit-api': { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32' },
      notifier: { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32', NOTIFIER_SESSION_TIMEOUT_MS: '6000', NOTIFIER_SWEEP_INTERVAL_MS: '300', NOTIFIER_EVENT_FILTER_CACHE_MS: '0' },
    },
  });
  const producer = new LedgerProducer(createKafka({ brokers: system.stack.kafkaBrokers, clientId: `p7-openapi-${system.suffix}` }));
  const redis = new Redis(system.stack.redisUrl, { maxRetriesPerRequest: null });
  const retentionQueue = new Queue(RETENTION_QUEUE, { connection: redis, prefix: system.retentionQueuePrefix });
  /** Operations answered and checked ("GET /v1/retention"), and the checked answers by operation. */
  const checked = new Set<string>();
  const answers = new Map<string, { status: number; body: unknown }>();
  let document: OpenApiDocument;
  let tenant: TestTenant;

  beforeAll(async () => {
    await receiver.start();
    // The projector's dead-letter group starts at the end of the dead-letter topics: earlier letters are not this suite's business.
    for (const topic of [ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC]) await system.startKafkaGroupAtTopicEnd(`${system.projectorGroup}-dead-letters`, topic);
    await system.start();
    const served = await fetch(`${system.url('audit-api')}/docs-json`);
    expect(served.status).toBe(200);
    document = (await served.json()) as OpenApiDocument;
    tenant = await system.createTenant(`p7-openapi-${system.suffix}`);
  });

  afterAll(async () => {
    await retentionQueue.obliterate({ force: true }).catch(() => undefined);
    await retentionQueue.close();
    await redis.quit();
    await producer.disconnect();
    await system.stop();
    await receiver.stop();
  });

  /** Calls audit-api, expects `status`, and checks the answer against the document. */
  async function call<T = Body>(method: string, path: string, key: string, status: number, json?: unknown): Promise<HttpAnswer<T>> {
    const answer = await system.api<T>(method, path, key, json);
    expect({ method, path, status: answer.status, body: answer.status === status ? undefined : answer.body }).toEqual({ method, path, status, body: undefined });
    return record(method, path, answer, answer.body);
  }

  function record<T>(method: string, path: string, answer: HttpAnswer<T>, body: unknown): HttpAnswer<T> {
    expectResponseMatchesOpenApi(document, method, path, answer.status, body, answer.headers.get('content-type') ?? undefined);
    const operation = `${method} ${matchPathTemplate(document, path)}`;
    checked.add(operation);
    answers.set(operation, { status: answer.status, body });
    return answer;
  }

  it('should match the administration answers when tenants and keys are created, listed and revoked', async () => {
    const created = await call('POST', '/v1/admin/tenants', system.rootKey, 201, { name: `p7-admin-${system.suffix}` });
    const tenantId = created.body.tenantId as string;
    await call('GET', '/v1/admin/tenants', system.rootKey, 200);
    const key = await call('POST', `/v1/admin/tenants/${tenantId}/keys`, system.rootKey, 201, { scopes: ['read', 'pii'], name: 'p7 reader' });
    await call('GET', `/v1/admin/tenants/${tenantId}/keys`, system.rootKey, 200);
    const revoked = await call('DELETE', `/v1/admin/keys/${key.body.keyId}`, system.rootKey, 200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
  });

  it('should match the channel answers when webhooks are put, listed and their secret rotated', async () => {
    await call('GET', '/v1/channels', tenant.apiKeys.admin, 200);
    const put = await call('PUT', '/v1/channels', tenant.apiKeys.admin, 200, {
      email: { recipients: [`ops-${system.suffix}@example.com`], filter: { minSeverity: 'warning' } },
      webhooks: [{ url: receiver.url('/p7-failed'), filter: { events: ['action.failed'], riskLevels: ['destructive'] } }],
    });
    const webhook = (put.body.webhooks as Body[])[0]!;
    expect(webhook.secret).toMatch(/^whsec_/);
    const rotated = await call('POST', `/v1/channels/webhooks/${webhook.id}/rotate-secret`, tenant.apiKeys.admin, 200, { graceSeconds: 60 });
    expect(rotated.body.previousSecretExpiresAt).toEqual(expect.any(String));
    expect((await call('GET', '/v1/channels', tenant.apiKeys.admin, 200)).body.webhooks).toHaveLength(1);
  });

  it('should match the delivery answers when a ledger-event webhook was delivered and is replayed', async () => {
    const failed = anActionEventInput({ type: 'action.failed', tool: { name: 'delete_account', provider: 'crm', riskLevel: 'destructive' }, error: { message: 'refused', code: 'E_REFUSED' } });
    expect((await system.postEvents(tenant.apiKeys.ingest, failed)).status).toBe(202);
    const delivered = await waitFor(
      async () => {
        const list = await system.api<{ deliveries: Body[] }>('GET', '/v1/deliveries?channel=webhook', tenant.apiKeys.read);
        return list.body.deliveries?.find((d) => d.eventId === failed.eventId && d.status === 'delivered') ? list : undefined;
      },
      { timeoutMs: 45_000, what: 'the webhook delivery delivered' },
    );
    record('GET', '/v1/deliveries?channel=webhook', delivered, delivered.body);
    const id = delivered.body.deliveries.find((d) => d.eventId === failed.eventId)!.id as string;
    expect((await call('POST', `/v1/deliveries/${id}/retry`, tenant.apiKeys.admin, 202)).body).toMatchObject({ id, status: 'pending', manualRetries: 1 });
  });

  it("should match the dead-letter answers of the tenant's and the operator's views when letters are listed, read and replayed", async () => {
    const bad = { ...anActionEvent(tenant.tenantId, { type: 'action.attempted' }), tool: { name: 'refund_order', riskLevel: 'apocalyptic' } };
    const orphan = anActionEvent(randomUUID(), { type: 'action.attempted' });
    await producer.send(
      ACTION_EVENTS_TOPIC,
      [bad, orphan].map((e) => ({ key: actionEventKey(e.tenantId, e), value: JSON.stringify(e), headers: { [SCHEMA_VERSION_HEADER]: 'action-event.v1' } })),
    );
    const letterIn = (page: HttpAnswer<{ items?: Body[] }>, eventId: string) => page.body.items?.find((l) => l.eventId === eventId);
    const mine = await waitFor(async () => {
      const page = await system.api<{ items: Body[] }>('GET', '/v1/dead-letters?reasonCode=schema', tenant.apiKeys.read);
      return letterIn(page, bad.eventId) ? page : undefined;
    }, { timeoutMs: 30_000, what: "the tenant's dead letter" });
    record('GET', '/v1/dead-letters?reasonCode=schema', mine, mine.body);
    const letter = letterIn(mine, bad.eventId)!;
    await call('GET', `/v1/dead-letters/${letter.id}`, tenant.apiKeys.read, 200);
    expect((await call('POST', '/v1/dead-letters/replay', tenant.apiKeys.admin, 200, { ids: [letter.id, '999999999999'] })).body).toMatchObject({ replayed: 1, skipped: [{ id: '999999999999', reason: 'not_found' }] });

    const theirs = await waitFor(async () => {
      const page = await system.api<{ items: Body[] }>('GET', '/v1/admin/dead-letters?reasonCode=unknown_tenant&limit=1000', system.rootKey);
      return letterIn(page, orphan.eventId) ? page : undefined;
    }, { timeoutMs: 30_000, what: "the operator's dead letter" });
    record('GET', '/v1/admin/dead-letters?reasonCode=unknown_tenant&limit=1000', theirs, theirs.body);
    const orphanLetter = letterIn(theirs, orphan.eventId)!;
    expect((await call('GET', `/v1/admin/dead-letters/${orphanLetter.id}`, system.rootKey, 200)).body.messageKey).toBe(actionEventKey(orphan.tenantId, orphan));
    await call('POST', '/v1/admin/dead-letters/replay', system.rootKey, 200, { ids: [orphanLetter.id] });
  });

  it("should match the data-subject answers when a subject's data is exported and erased", async () => {
    const subjectId = `p7-subject-${system.suffix}`;
    const event = anActionEventInput({ type: 'action.attempted', subject: { id: subjectId, pii: { email: 'p7.subject@example.com' } } });
    expect((await system.postEvents(tenant.apiKeys.ingest, event)).status).toBe(202);
    const stored = async () => (await system.db.query(`SELECT 1 FROM audit_events WHERE tenant_id = $1 AND event_id::text = $2`, [tenant.tenantId, event.eventId])).rowCount === 1;
    await waitFor(stored, { timeoutMs: 30_000, what: "the subject's event stored" });
    const exported = await call('GET', `/v1/subjects/${encodeURIComponent(subjectId)}/export`, tenant.apiKeys.admin, 200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/json/);
    expect(exported.body).toMatchObject({ subjectId, keys: [expect.objectContaining({ for: 'subject.pii', erasedAt: null })], events: [expect.objectContaining({ eventId: event.eventId })] });
    expect((await call('POST', `/v1/subjects/${encodeURIComponent(subjectId)}/erase`, tenant.apiKeys.admin, 200)).body).toMatchObject({ subjectId, keysErased: 1, eventsAffected: 1 });
  });

  it('should match the redaction answers when the settings are read before and after a change', async () => {
    expect((await call('GET', '/v1/redaction', tenant.apiKeys.admin, 200)).body.default).toBe(true);
    await call('PUT', '/v1/redaction', tenant.apiKeys.admin, 200, { keyPatterns: ['card number'], valuePatterns: ['ORD-[0-9]{6}'], freeTextPii: 'redact', phoneRegion: 'GB' });
    expect((await call('GET', '/v1/redaction', tenant.apiKeys.admin, 200)).body).toMatchObject({ default: false, phoneRegion: 'GB' });
  });

  it('should match the report answers when a schedule is set and a run requested and read', async () => {
    expect((await call('GET', '/v1/reports', tenant.apiKeys.admin, 200)).body.schedule).toBeNull();
    await call('PUT', '/v1/reports', tenant.apiKeys.admin, 200, { frequency: 'weekly', hour: 7, weekday: 1, timezone: 'Europe/Berlin' });
    const run = await call('POST', '/v1/reports/runs', tenant.apiKeys.admin, 202, { frequency: 'daily' });
    await call('GET', `/v1/reports/runs/${run.body.runId}`, tenant.apiKeys.admin, 200);
    expect((await call('GET', '/v1/reports', tenant.apiKeys.admin, 200)).body.recentRuns).toEqual(expect.arrayContaining([expect.objectContaining({ runId: run.body.runId })]));
  });

  it('should match the retention answers when the policy is changed and a run queued and read', async () => {
    await call('GET', '/v1/retention', tenant.apiKeys.admin, 200);
    await call('PUT', '/v1/retention', tenant.apiKeys.admin, 200, { retainFor: 'P30D', legalHold: true });
    const run = await call('POST', '/v1/retention/runs', tenant.apiKeys.admin, 202);
    expect((await call('GET', `/v1/retention/runs/${run.body.runId}`, tenant.apiKeys.admin, 200)).body).toEqual({ runId: run.body.runId, state: 'queued' });
  });

  it('should match the health and metrics answers of audit-api', async () => {
    await call('GET', '/health/live', '', 200);
    expect((await call('GET', '/health/ready', '', 200)).body.ready).toBe(true);
    const metrics = await fetch(`${system.url('audit-api')}/metrics`);
    const text = await metrics.text();
    expect(metrics.status).toBe(200);
    record('GET', '/metrics', { status: metrics.status, body: text, headers: metrics.headers, ms: 0 }, text);
  });

  it('should reject an answer of the wrong shape: a required field left out, a field of the wrong type, an unknown field', () => {
    const mutations: [string, (b: Body) => void][] = [
      ['GET /v1/retention', (b) => delete b.policy.retainFor],
      ['GET /v1/retention', (b) => (b.horizon = 0)],
      ['GET /v1/redaction', (b) => (b.freeTextPii = 'shout')],
      ['GET /v1/channels', (b) => (b.webhooks[0].secretVersion = '2')],
      ['GET /v1/channels', (b) => (b.webhooks[0].secret = 'plain')],
      ['GET /v1/deliveries', (b) => delete b.deliveries[0].attempts],
      ['GET /v1/dead-letters/{id}', (b) => (b.messageKey = 'not for tenants')],
      ['GET /v1/admin/tenants/{tenantId}/keys', (b) => (b.keys[0].key = 'alk_never_listed')],
      ['POST /v1/reports/runs', (b) => (b.status = 'lost')],
      ['GET /v1/retention/runs/{runId}', (b) => (b.state = 'waiting')],
      ['GET /v1/subjects/{subjectId}/export', (b) => (b.keys[0].erasedAt = 'yesterday')],
      ['GET /health/ready', (b) => delete b.ready],
    ];
    for (const [operation, mutate] of mutations) {
      const answer = answers.get(operation);
      expect({ operation, answered: !!answer }).toEqual({ operation, answered: true });
      const body = structuredClone(answer!.body) as Body;
      mutate(body);
      const [method, path] = operation.split(' ') as [string, string];
      expect(() => expectResponseMatchesOpenApi(document, method, path, answer!.status, body)).toThrow(/does not match the declared schema/);
    }
  });

  it('should declare a schema for every success of every management endpoint, and each was answered and checked above', () => {
    const operations = Object.entries(document.paths)
      .filter(([path]) => MANAGEMENT_PATHS.test(path))
      .flatMap(([path, item]) => Object.keys(item).filter((m) => m !== 'parameters').map((method) => ({ operation: `${method.toUpperCase()} ${path}`, responses: (item[method] as { responses: Body }).responses })));
    expect(operations.length).toBeGreaterThanOrEqual(30);
    for (const { operation, responses } of operations) {
      const successes = Object.entries(responses).filter(([status]) => /^2/.test(status));
      expect({ operation, successes: successes.map(([status]) => status) }).toEqual({ operation, successes: [expect.stringMatching(/^20[0-2]$/)] });
      for (const [, response] of successes) expect({ operation, schemas: Object.values(response.content ?? {}).map((c) => !!(c as Body).schema) }).toEqual({ operation, schemas: [true] });
    }
    expect([...checked].sort()).toEqual(operations.map((o) => o.operation).sort());
  });
});
