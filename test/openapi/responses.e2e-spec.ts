import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { anActionEventInput, expectResponseMatchesOpenApi, LedgerSystem, waitFor, WORKSPACE_ROOT, type OpenApiDocument, type TestTenant } from '@agent-ledger/testing';

type Body = Record<string, any>;

/** The data of each server-sent event of a stream body, parsed. */
function sseData(text: string): unknown[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n'))
    .filter(Boolean)
    .map((d) => JSON.parse(d) as unknown);
}

/**
 * The answers of ingest-api's events endpoint and audit-api's records, export, live stream,
 * statistics, escalation and integrity endpoints against the OpenAPI documents the services serve
 * (/docs-json, equal to openapi/*.json): every endpoint called for real (the built ingest-api,
 * projector and audit-api on the local Kafka and PostgreSQL), each answer and error checked against
 * the schema declared for its method, path and status.
 */
describe('OpenAPI response schemas of the ingest and read endpoints', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  const documents: { ingest?: OpenApiDocument; audit?: OpenApiDocument } = {};
  let tenant: TestTenant;
  const sessionId = `p5-openapi-${system.suffix}`;
  const since = new Date(Date.now() - 60_000).toISOString();
  let actionId: string;

  /** Calls audit-api and checks the answer against the served document. */
  async function checked(method: string, path: string, key: string | undefined, expectedStatus: number, json?: unknown): Promise<Body> {
    const answer = await system.http<Body>(method, `${system.url('audit-api')}${path}`, { key, json });
    expect({ path, status: answer.status, body: answer.status === expectedStatus ? 'as expected' : answer.body }).toEqual({ path, status: expectedStatus, body: 'as expected' });
    expectResponseMatchesOpenApi(documents.audit!, method, path, answer.status, answer.body, answer.headers.get('content-type') ?? undefined);
    return answer.body;
  }

  async function download(path: string, key: string): Promise<{ status: number; contentType: string; text: string }> {
    const res = await fetch(`${system.url('audit-api')}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  beforeAll(async () => {
    await system.start();
    for (const [name, service] of [['ingest', 'ingest-api'], ['audit', 'audit-api']] as const) {
      const served = await fetch(`${system.url(service)}/docs-json`);
      expect(served.status).toBe(200);
      documents[name] = (await served.json()) as OpenApiDocument;
    }
    tenant = await system.createTenant(`p5-openapi-${system.suffix}`);
    const attempted = anActionEventInput({ type: 'action.attempted', sessionId, subject: { id: 'cus-7', pii: { email: 'ana@example.com' } } } as never);
    actionId = attempted.actionId!;
    const events = [
      attempted,
      anActionEventInput({ type: 'action.executed', sessionId, actionId, approval: { required: true, decision: 'approved', approvedBy: 'ana', decisionMs: 900 } }),
      anActionEventInput({ type: 'action.failed', sessionId }),
      anActionEventInput({ type: 'signal.permission_denied', sessionId }),
      anActionEventInput({ type: 'message.recorded', sessionId }),
    ];
    const posted = await system.postEvents(tenant.apiKeys.ingest, { events });
    expect(posted.status).toBe(202);
    expectResponseMatchesOpenApi(documents.ingest!, 'POST', '/v1/events', posted.status, posted.body, posted.headers.get('content-type') ?? undefined);
    await system.waitForStored(tenant.tenantId, events.length);
    await system.waitForCheckpointAtHeads(tenant.tenantId);
  }, 120_000);

  afterAll(() => system.stop());

  it('should serve the documents written to openapi/ when the services run', () => {
    expect(documents.ingest).toEqual(JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'openapi/ingest-api.json'), 'utf8')));
    expect(documents.audit).toEqual(JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'openapi/audit-api.json'), 'utf8')));
  });

  it('should answer ingest errors in the declared error shape when events are refused', async () => {
    const ingest = system.url('ingest-api');
    const cases: [number, Promise<{ status: number; body: unknown; headers: Headers }>][] = [
      [400, system.postEvents(tenant.apiKeys.ingest, { events: [{ type: 'action.attempted', occurredAt: 'yesterday' }] })],
      [401, system.http('POST', `${ingest}/v1/events`, { json: anActionEventInput() })],
      [403, system.postEvents(tenant.apiKeys.read, anActionEventInput())],
      [415, system.http('POST', `${ingest}/v1/events`, { key: tenant.apiKeys.ingest, raw: 'type=action.attempted', contentType: 'text/plain' })],
    ];
    for (const [status, pending] of cases) {
      const answer = await pending;
      expect(answer.status).toBe(status);
      expectResponseMatchesOpenApi(documents.ingest!, 'POST', '/v1/events', answer.status, answer.body, answer.headers.get('content-type') ?? undefined);
    }
  });

  it('should answer the records endpoints as declared when the tenant has events', async () => {
    const read = tenant.apiKeys.read;
    await waitFor(async () => (await checked('GET', `/v1/actions?sessionId=${sessionId}`, read, 200)).items.length === 2, { what: 'both actions projected' });
    const page = await checked('GET', `/v1/actions?sessionId=${sessionId}&limit=1`, read, 200);
    expect(page.nextCursor).toEqual(expect.any(String));
    await checked('GET', `/v1/actions?sort=duration_desc&from=${encodeURIComponent(since)}`, read, 200);
    const detail = await checked('GET', `/v1/actions/${encodeURIComponent(actionId)}`, read, 200);
    expect(detail.timeline).toHaveLength(2);
    const events = await checked('GET', `/v1/events?sessionId=${sessionId}`, read, 200);
    expect(events.items).toHaveLength(5);
    await checked('GET', `/v1/events?sessionId=${sessionId}&type=message.recorded`, tenant.apiKeys.admin, 200);
    await checked('GET', `/v1/sessions/${sessionId}/summary`, read, 200);
    await checked('GET', '/v1/stats', read, 200);
    await checked('GET', `/v1/stats?from=${encodeURIComponent(since)}`, read, 200);
  });

  it('should stream exports whose every item matches the declared media type when each format is asked for', async () => {
    const path = `/v1/export?sessionId=${sessionId}`;
    const json = await download(`${path}&format=json`, tenant.apiKeys.read);
    expect(json.status).toBe(200);
    expectResponseMatchesOpenApi(documents.audit!, 'GET', path, 200, JSON.parse(json.text), json.contentType);
    const lines = await download(`${path}&format=jsonl`, tenant.apiKeys.read);
    const items = lines.text.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(items).toHaveLength(5);
    expectResponseMatchesOpenApi(documents.audit!, 'GET', path, 200, items, lines.contentType);
    const csv = await download(`${path}&format=csv`, tenant.apiKeys.read);
    expectResponseMatchesOpenApi(documents.audit!, 'GET', path, 200, csv.text, csv.contentType);
    expect(parse(csv.text, { columns: true })).toHaveLength(5);
  });

  it('should send server-sent events whose data match the declared schema when the stream replays', async () => {
    const controller = new AbortController();
    const res = await fetch(`${system.url('audit-api')}/v1/stream?sessionId=${sessionId}&since=${encodeURIComponent(since)}`, {
      headers: { authorization: `Bearer ${tenant.apiKeys.read}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    await waitFor(async () => {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      return sseData(text).length >= 5;
    }, { what: 'five streamed events' });
    controller.abort();
    expectResponseMatchesOpenApi(documents.audit!, 'GET', '/v1/stream', 200, sseData(text), res.headers.get('content-type') ?? undefined);
  });

  it('should answer the escalation endpoints as declared when an escalation is opened, acknowledged and resolved', async () => {
    const admin = tenant.apiKeys.admin;
    const opened = await checked('POST', '/v1/escalations', admin, 202, { sessionId, note: 'customer asked for a human', severity: 'warning' });
    await waitFor(async () => (await checked('GET', `/v1/escalations?sessionId=${sessionId}`, tenant.apiKeys.read, 200)).items.length === 1, { what: 'the escalation projected' });
    await checked('GET', `/v1/escalations/${opened.escalationId}`, tenant.apiKeys.read, 200);
    await checked('POST', `/v1/escalations/${opened.escalationId}/acknowledge`, admin, 202, { note: 'on it' });
    await waitFor(async () => (await checked('GET', `/v1/escalations/${opened.escalationId}`, tenant.apiKeys.read, 200)).status === 'acknowledged', { what: 'acknowledged' });
    await checked('POST', `/v1/escalations/${opened.escalationId}/resolve`, admin, 202, { notes: 'refunded' });
    await waitFor(async () => (await checked('GET', `/v1/escalations/${opened.escalationId}`, tenant.apiKeys.read, 200)).status === 'resolved', { what: 'resolved' });
    await checked('POST', `/v1/escalations/${opened.escalationId}/resolve`, admin, 409, {});
    await checked('GET', `/v1/actions/${encodeURIComponent(actionId)}`, tenant.apiKeys.read, 200);
    const rules = await checked('GET', '/v1/escalation-rules', admin, 200);
    await checked('PUT', '/v1/escalation-rules', admin, 200, { rules: { action_failed: { enabled: !rules.settings.rules.action_failed.enabled } } });
  });

  it('should answer the integrity endpoints as declared when the chains are signed', async () => {
    // Every event stored when verify ran was checked (a change event of the test before may still be on its way).
    const storedBefore = await system.countStored(tenant.tenantId);
    const verified = await checked('GET', '/v1/integrity/verify', tenant.apiKeys.read, 200);
    const storedAfter = await system.countStored(tenant.tenantId);
    expect(verified.eventsChecked).toBeGreaterThanOrEqual(storedBefore);
    expect(verified.eventsChecked).toBeLessThanOrEqual(storedAfter);
    await checked('GET', `/v1/integrity/verify?from=${encodeURIComponent(since)}`, tenant.apiKeys.read, 200);
    for (const path of ['/v1/integrity/export', '/v1/integrity/checkpoints']) {
      const lines = await download(path, tenant.apiKeys.read);
      expect(lines.status).toBe(200);
      const items = lines.text.trim().split('\n').map((l) => JSON.parse(l) as unknown);
      expect(items.length).toBeGreaterThan(0);
      expectResponseMatchesOpenApi(documents.audit!, 'GET', path, 200, items, lines.contentType);
    }
  });

  it('should answer errors in the declared error shape when a filter, the key or the resource is wrong', async () => {
    await checked('GET', '/v1/actions?status=bogus', tenant.apiKeys.read, 400);
    await checked('GET', '/v1/events?from=2026-02-30', tenant.apiKeys.read, 400);
    await checked('GET', '/v1/actions?cursor=garbage', tenant.apiKeys.read, 400);
    await checked('GET', '/v1/stats', undefined, 401);
    await checked('GET', '/v1/integrity/verify', 'alk_not_a_key', 401);
    await checked('GET', '/v1/escalation-rules', tenant.apiKeys.read, 403);
    await checked('GET', '/v1/actions/no-such-action', tenant.apiKeys.read, 404);
    await checked('GET', `/v1/sessions/no-such-session-${system.suffix}/summary`, tenant.apiKeys.read, 404);
    await checked('GET', '/v1/escalations/5b0e7d8e-1f7a-4c1e-9d0a-6a1f3f0f9b11', tenant.apiKeys.read, 404);
  });

  it('should fail the check when an answer lacks a required field or carries an undeclared one', async () => {
    const page = (await system.api<Body>('GET', `/v1/actions?sessionId=${sessionId}`, tenant.apiKeys.read)).body;
    const { status: _dropped, ...withoutStatus } = page.items[0];
    expect(() => expectResponseMatchesOpenApi(documents.audit!, 'GET', '/v1/actions', 200, { ...page, items: [withoutStatus] })).toThrow(/must have required property 'status'/);
    expect(() => expectResponseMatchesOpenApi(documents.audit!, 'GET', '/v1/actions', 200, { ...page, total: 2 })).toThrow(/must NOT have additional properties/);
    const stats = (await system.api<Body>('GET', '/v1/stats', tenant.apiKeys.read)).body;
    expect(() => expectResponseMatchesOpenApi(documents.audit!, 'GET', '/v1/stats', 200, { ...stats, successRate: '97%' })).toThrow(/successRate/);
  });
});
