import { randomUUID } from 'node:crypto';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { casesFor, endpointsOf, type Case, type Endpoint, type Keys } from './bad-input-cases';
import { send, sendRaw, shapeProblem, type RawAnswer } from './raw-http';

interface Outcome {
  c: Case;
  answer?: RawAnswer;
  error?: string;
}

const CONCURRENCY = 6;

/** Runs `work` over `items`, `n` at a time. */
async function pool<T, R>(items: T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  }));
  return out;
}

/**
 * Bad input over every endpoint of both APIs (enumerated from their OpenAPI documents, so a new
 * endpoint is covered without editing this file), plus hand-written requests a client library
 * would refuse to send: no answer is a 5xx, every error is in the documented shape, each class of
 * input gets its documented status, and the ledger is healthy afterwards.
 */
describe('bad input at the HTTP edge', () => {
  const system = new LedgerSystem({ services: ['ingest-api', 'audit-api', 'audit-projector'] });
  let a: TestTenant;
  let b: TestTenant;
  let outcomes: Outcome[] = [];

  const base = (c: Case) => system.url(c.service);
  const seed = async (t: TestTenant, n: number) => {
    const events = Array.from({ length: n }, () => anActionEventInput({ actionId: `edge-${randomUUID()}` }));
    expect((await system.postEvents(t.apiKeys.ingest, { events })).status).toBe(202);
    await system.waitForStored(t.tenantId, n, 30_000);
  };

  beforeAll(async () => {
    await system.start();
    [a, b] = await Promise.all([system.createTenant(`edge-a-${system.suffix}`), system.createTenant(`edge-b-${system.suffix}`)]);
    await Promise.all([seed(a, 3), seed(b, 3)]);
    const otherTenantCursors: Record<string, string> = {};
    for (const list of ['/v1/actions', '/v1/events']) {
      await waitFor(async () => {
        const page = await system.api<{ nextCursor: string | null }>('GET', `${list}?limit=1`, b.apiKeys.read);
        if (page.body.nextCursor) otherTenantCursors[`tenant B ${list}`] = page.body.nextCursor;
        return Boolean(page.body.nextCursor);
      }, { timeoutMs: 20_000, what: `a next-page cursor of tenant B on ${list}` });
    }
    const keys: Keys = { root: system.rootKey, a, b, otherTenantCursors };
    const endpoints: Endpoint[] = [];
    for (const service of ['ingest-api', 'audit-api'] as const) {
      const doc = await system.http(`GET`, `${system.url(service)}/docs-json`);
      endpoints.push(...endpointsOf(service, doc.body as never));
    }
    const cases = [...endpoints.flatMap((e) => casesFor(e, keys)), ...handWritten(keys)];
    const started = Date.now();
    outcomes = await pool(cases, CONCURRENCY, async (c) => {
      try {
        return { c, answer: c.raw !== undefined ? await sendRaw(base(c), c.raw) : await send(base(c), c.req!) };
      } catch (err) {
        return { c, error: (err as Error).message };
      }
    });
    printSummary(outcomes, Date.now() - started);
  }, 170_000);

  afterAll(() => system.stop());

  it('should send at least 300 requests over every endpoint of both APIs when enumerating the OpenAPI documents', () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(300);
    const endpoints = new Set(outcomes.map((o) => o.c.endpoint));
    for (const e of ['ingest POST /v1/events', 'audit GET /v1/actions', 'audit PUT /v1/escalation-rules', 'audit GET /v1/export', 'audit GET /v1/deliveries']) expect(endpoints).toContain(e);
  });

  it('should never answer 5xx or drop the connection when the input is bad', () => {
    const bad = outcomes.filter((o) => o.error || (o.answer && (o.answer.status >= 500 || o.answer.status === 0)));
    expect(bad.map((o) => `${o.c.endpoint} [${o.c.what}] → ${o.error ?? `${o.answer!.status} ${o.answer!.text.slice(0, 200)}`}`)).toEqual([]);
  });

  it('should answer every error in the documented shape with error.status equal to the HTTP status', () => {
    const problems = outcomes.flatMap((o) => {
      if (!o.answer || o.answer.status < 400) return [];
      const p = shapeProblem(o.answer);
      return p ? [`${o.c.endpoint} [${o.c.what}] ${o.answer.status}: ${p}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('should give each class of bad input its documented status, code and field', () => {
    const wrong = outcomes.flatMap((o) => {
      const x = o.c.expect;
      if (!x || !o.answer) return [];
      const err = errorOf(o.answer);
      const ok = (!x.status || x.status.includes(o.answer.status)) && (!x.code || err.code === x.code) && (!x.field || err.field === x.field);
      return ok ? [] : [`${o.c.endpoint} [${o.c.what}] expected ${JSON.stringify(x)}, got ${o.answer.status} ${o.answer.text.slice(0, 200)}`];
    });
    expect(wrong).toEqual([]);
  });

  it('should serve no file outside the dashboard when a path traverses', () => {
    const leaks = outcomes.filter((o) => o.answer && /"devDependencies"|root:x:0:0|BEGIN [A-Z ]*PRIVATE KEY/.test(o.answer.text));
    expect(leaks.map((o) => `${o.c.endpoint} [${o.c.what}]`)).toEqual([]);
  });

  it('should leave every service ready, a new event visible within 5 s and the chains verified after the bad input', async () => {
    for (const name of ['ingest-api', 'audit-api', 'audit-projector'] as const) {
      const ready = await send(system.url(name), { method: 'GET', path: '/health/ready' });
      expect({ name, status: ready.status, body: ready.status === 200 ? '' : ready.text }).toEqual({ name, status: 200, body: '' });
    }
    const actionId = `edge-after-${randomUUID()}`;
    const posted = Date.now();
    expect((await system.postEvents(a.apiKeys.ingest, anActionEventInput({ actionId }))).status).toBe(202);
    await waitFor(async () => (await system.api('GET', `/v1/actions/${actionId}`, a.apiKeys.read)).status === 200, { timeoutMs: 5_000, what: 'the new event visible' });
    expect(Date.now() - posted).toBeLessThan(5_000);
    await system.waitForCheckpointAtHeads(a.tenantId);
    const verify = await system.api<{ ok: boolean }>('GET', '/v1/integrity/verify', a.apiKeys.read);
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true, failures: [] });
  });
});

function errorOf(a: RawAnswer): { code?: string; field?: string } {
  try {
    return (JSON.parse(a.text) as { error?: { code?: string; field?: string } }).error ?? {};
  } catch {
    return {};
  }
}

/** Requests a client library would refuse to send, path traversal and unknown routes. */
function handWritten(k: Keys): Case[] {
  const key = k.a.apiKeys.read;
  const raw = (what: string, bytes: string, status: number[]): Case => ({ service: 'audit-api', endpoint: 'raw HTTP', what, raw: bytes, expect: { status } });
  const get = (service: Case['service'], what: string, path: string, headers: Record<string, string> = { authorization: `Bearer ${key}` }, status?: number[]): Case => ({
    service,
    endpoint: 'hand-written',
    what,
    req: { method: 'GET', path, headers },
    expect: status ? { status } : undefined,
  });
  return [
    raw('control character in a header', `GET /v1/actions HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n`, [400]),
    raw('NUL in the Authorization header', `GET /v1/actions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\x00b\r\n\r\n`, [400]),
    raw('CRLF injected into the request target', `GET /v1/actions?x=1\r\nX-Injected: 1 HTTP/1.1\r\nHost: x\r\n\r\n`, [400, 401]),
    raw('Content-Length and Transfer-Encoding together', `POST /v1/escalations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, [400]),
    raw('header section over 16 KiB', `GET /v1/actions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, [431]),
    raw('garbage request line', `GARBAGE\r\n\r\n`, [400]),
    get('audit-api', 'path traversal to the file system', '/../../../etc/passwd'),
    get('audit-api', 'encoded path traversal', '/v1/%2e%2e/%2e%2e/etc/passwd'),
    get('audit-api', 'traversal out of the dashboard assets', '/assets/..%2F..%2F..%2F..%2Fpackage.json'),
    get('audit-api', 'encoded traversal at the root', '/%2e%2e%2f%2e%2e%2fpackage.json'),
    get('audit-api', 'traversal through the API document', '/docs/..%2f..%2fpackage.json'),
    get('audit-api', 'traversal in an action id', '/v1/actions/..%2f..%2fadmin%2ftenants'),
    get('audit-api', 'NUL in a dashboard asset path', '/assets/a%00b.js'),
    get('audit-api', 'NUL as a dashboard route', '/actions/%00'),
    get('audit-api', 'unknown route', '/v1/nope', undefined, [404]),
    get('ingest-api', 'unknown route on ingest', '/v1/nope', undefined, [404]),
    { service: 'audit-api', endpoint: 'hand-written', what: 'PATCH on a GET route', req: { method: 'PATCH', path: '/v1/actions', headers: { authorization: `Bearer ${key}` } }, expect: { status: [404, 405] } },
    get('audit-api', 'SQL in X-Forwarded-For', '/v1/actions', { authorization: `Bearer ${key}`, 'x-forwarded-for': "' OR 1=1--" }, [200]),
    {
      service: 'audit-api',
      endpoint: 'hand-written',
      what: 'a 4 KiB User-Agent recorded in the change log',
      req: { method: 'PUT', path: '/v1/escalation-rules', headers: { authorization: `Bearer ${k.a.apiKeys.admin}`, 'content-type': 'application/json', 'user-agent': `agent ${'x'.repeat(4_096)}` }, body: '{}' },
      expect: { status: [200] },
    },
    ...nestedText(k),
    {
      service: 'ingest-api',
      endpoint: 'hand-written',
      what: 'an empty batch',
      req: { method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${k.a.apiKeys.ingest}`, 'content-type': 'application/json' }, body: '{"events":[]}' },
      expect: { status: [400] },
    },
  ];
}

/** NUL and lone surrogates deep inside bodies: escalation-rule messages, channel URLs, key names, event inputs. */
function nestedText(k: Keys): Case[] {
  const c = (service: Case['service'], method: string, path: string, key: string, body: string, field: string): Case => ({
    service,
    endpoint: 'hand-written',
    what: `${method} ${path} ${field}`,
    req: { method, path, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body },
    expect: { status: [400], field },
  });
  const admin = k.a.apiKeys.admin;
  return [
    c('audit-api', 'PUT', '/v1/escalation-rules', admin, '{"rules":{"customer_request":{"customerMessage":"hand\\u0000off"}}}', '/rules/customer_request/customerMessage'),
    c('audit-api', 'PUT', '/v1/escalation-rules', admin, '{"rules":{"action_failed":{"customerMessage":"\\udfff"}}}', '/rules/action_failed/customerMessage'),
    c('audit-api', 'PUT', '/v1/channels', admin, '{"webhooks":[{"url":"https://example.com/\\u0000"}]}', '/webhooks/0/url'),
    c('audit-api', 'PUT', '/v1/channels', admin, '{"email":{"recipients":["a\\ud800@example.com"]}}', '/email/recipients/0'),
    c('audit-api', 'POST', `/v1/admin/tenants/${k.a.tenantId}/keys`, k.root, '{"scopes":["read"],"name":"key\\u0000name"}', '/name'),
    c('audit-api', 'POST', `/v1/admin/tenants/${k.a.tenantId}/keys`, k.root, '{"scopes":["read"],"name":"\\ud83d"}', '/name'),
    c('audit-api', 'POST', '/v1/admin/tenants', k.root, '{"name":"t\\u0000"}', '/name'),
    c('audit-api', 'POST', '/v1/escalations', admin, '{"sessionId":"s-1","note":"a\\u0000b"}', '/note'),
    ...['not a url', 'http://[::1', 'file:///etc/passwd', 'javascript:alert(1)', 'http://127.0.0.1:99999/', 'http://exa mple.com/', 'http://169.254.169.254/latest/meta-data', 'gopher://127.0.0.1:6379/_FLUSHALL'].map((url) =>
      c('audit-api', 'PUT', '/v1/channels', admin, JSON.stringify({ webhooks: [{ url }] }), '/webhooks/0/url'),
    ),
    c('audit-api', 'PUT', '/v1/escalation-rules', admin, '{"rules":{"confirmation_timeout":{"timeoutMs":1e20}}}', '/rules/confirmation_timeout/timeoutMs'),
    c('audit-api', 'PUT', '/v1/escalation-rules', admin, '{"cooldownMs":1e400}', '/cooldownMs'),
    c('audit-api', 'POST', `/v1/channels/webhooks/${randomUUID()}/rotate-secret`, admin, '{"graceSeconds":-1}', '/graceSeconds'),
    c('ingest-api', 'POST', '/v1/events', k.a.apiKeys.ingest, JSON.stringify({ events: [{ type: 'action.attempted', actionId: 'x', input: { 'k\u0000': 1 } }] }), '/events/0/input/k\u0000'),
  ];
}

function printSummary(outcomes: Outcome[], ms: number): void {
  const by = new Map<string, Map<string, number>>();
  for (const o of outcomes) {
    const statuses = by.get(o.c.endpoint) ?? new Map<string, number>();
    const s = o.error ? 'error' : String(o.answer!.status);
    statuses.set(s, (statuses.get(s) ?? 0) + 1);
    by.set(o.c.endpoint, statuses);
  }
  const lines = [...by].sort(([x], [y]) => x.localeCompare(y)).map(([endpoint, statuses]) => {
    const n = [...statuses.values()].reduce((s, v) => s + v, 0);
    return `${String(n).padStart(5)}  ${endpoint.padEnd(58)} ${[...statuses].sort().map(([s, c]) => `${s}×${c}`).join(' ')}`;
  });
  const totals = new Map<string, number>();
  for (const o of outcomes) totals.set(o.error ? 'error' : String(o.answer!.status), (totals.get(o.error ? 'error' : String(o.answer!.status)) ?? 0) + 1);
  process.stdout.write(`\nbad-input requests: ${outcomes.length} over ${by.size} endpoints in ${(ms / 1000).toFixed(1)} s; statuses ${[...totals].sort().map(([s, c]) => `${s}×${c}`).join(' ')}\n${lines.join('\n')}\n`);
}
