import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { anActionEventInput, expectResponseMatchesOpenApi, LedgerSystem, waitFor, type OpenApiDocument, type TestTenant } from '@agent-ledger/testing';

const run = promisify(execFile);

/** A span sent by sdk-exporter.process.js: a tool call, or a chat span (not an agent action). */
type SpanSpec = { tool: string; callId: string; session: string; ms: number; error?: string } | { chat: string };

interface ExportJob {
  key: string;
  encoding: 'protobuf' | 'json';
  compression?: 'gzip';
  via: 'batch' | 'export';
  repeat?: number;
  spans: SpanSpec[];
}

/** The OpenTelemetry SDK's result codes (ExportResultCode). */
const SUCCESS = 0;
const FAILED = 1;

interface Action {
  actionId: string;
  status: string;
  sessionId: string | null;
  tool: { name: string; riskLevel: string | null } | null;
  agent: { id: string; name: string | null } | null;
  durationMs: number | null;
  error: { message: string; code: string | null } | null;
  eventCount: number;
}

/**
 * OTLP/HTTP intake end to end: spans recorded by the OpenTelemetry SDK and sent by its OTLP
 * exporters (protobuf and JSON) to ingest-api become the tenant's actions in audit-api, once each
 * even when the export is sent again.
 */
describe('OTLP trace intake', () => {
  const system = new LedgerSystem({ services: ['ingest-api', 'audit-projector', 'audit-api'] });
  let tenant: TestTenant;
  let openApi: OpenApiDocument;
  const tracesUrl = () => `${system.url('ingest-api')}/v1/traces`;
  const conversation = (name: string) => `otlp-${name}-${system.suffix}`;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`otlp-${system.suffix}`);
    openApi = (await (await fetch(`${system.url('ingest-api')}/docs-json`)).json()) as OpenApiDocument;
  });

  afterAll(() => system.stop());

  /** Records the spans with the OpenTelemetry SDK and sends them with its OTLP exporter, in a child process (see the script). */
  async function sdkExport(job: ExportJob, url = tracesUrl()): Promise<{ code: number; httpCode?: number }[]> {
    const { stdout } = await run(process.execPath, [path.join(__dirname, 'sdk-exporter.process.js'), JSON.stringify({ url, ...job })], { timeout: 60_000 });
    return (JSON.parse(stdout) as { results: { code: number; httpCode?: number }[] }).results;
  }

  async function actionsOf(session: string, n: number): Promise<Action[]> {
    let items: Action[] = [];
    await waitFor(
      async () => {
        const answer = await system.api<{ items: Action[] }>('GET', `/v1/actions?sessionId=${encodeURIComponent(session)}`, tenant.apiKeys.read);
        items = answer.body.items ?? [];
        return items.length >= n && items.every((a) => a.eventCount >= 2);
      },
      { timeoutMs: 30_000, what: `${n} actions of ${session}` },
    );
    return items.sort((a, b) => a.actionId.localeCompare(b.actionId));
  }

  async function eventsOf(session: string): Promise<number> {
    const { rows } = await system.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND session_id = $2`, [tenant.tenantId, session]);
    return rows[0].n as number;
  }

  async function ignoredSpans(): Promise<number> {
    const text = await (await fetch(`${system.url('ingest-api')}/metrics`)).text();
    return Number(/^ledger_otlp_spans_ignored_total\{reason="not_tool_call"\} (\d+)/m.exec(text)?.[1] ?? 0);
  }

  it('should record each tool call span as an action with its status, tool and duration when the protobuf exporter sends them', async () => {
    const session = conversation('proto');
    const results = await sdkExport({
      key: tenant.apiKeys.ingest,
      encoding: 'protobuf',
      via: 'batch',
      spans: [
        { tool: 'refund_order', callId: 'call-1', session, ms: 120 },
        { tool: 'cancel_subscription', callId: 'call-2', session, ms: 45, error: 'subscription is locked' },
      ],
    });
    expect(results.map((r) => r.code)).toEqual([SUCCESS]);

    const actions = await actionsOf(session, 2);
    expect(actions).toEqual([
      expect.objectContaining({ actionId: 'call-1', status: 'executed', tool: expect.objectContaining({ name: 'refund_order', riskLevel: 'destructive' }), agent: { id: 'refund-bot', name: 'refund-bot' }, durationMs: 120, eventCount: 2 }),
      expect.objectContaining({ actionId: 'call-2', status: 'failed', tool: expect.objectContaining({ name: 'cancel_subscription' }), durationMs: 45, error: expect.objectContaining({ message: 'subscription is locked' }), eventCount: 2 }),
    ]);
  });

  it('should store each event once when the JSON exporter sends the same export twice (gzip), and ignore and count the spans that are not tool calls', async () => {
    const session = conversation('retry');
    const ignoredBefore = await ignoredSpans();
    const results = await sdkExport({ key: tenant.apiKeys.ingest, encoding: 'json', compression: 'gzip', via: 'export', repeat: 2, spans: [{ tool: 'lookup_order', callId: 'call-3', session, ms: 30 }, { chat: session }] });
    expect(results.map((r) => r.code)).toEqual([SUCCESS, SUCCESS]);

    const [action] = await actionsOf(session, 1);
    expect(action).toMatchObject({ actionId: 'call-3', status: 'executed', durationMs: 30, eventCount: 2 });
    // A barrier behind the repeated events: same key (tenant and actionId), so the same partition, sent after them.
    const barrier = conversation('barrier');
    expect((await system.postEvents(tenant.apiKeys.ingest, anActionEventInput({ type: 'signal.rate_limited', actionId: 'call-3', sessionId: barrier }))).status).toBe(202);
    await waitFor(async () => (await eventsOf(barrier)) === 1, { timeoutMs: 30_000, what: 'the barrier event stored' });
    expect(await eventsOf(session)).toBe(2);
    expect(await ignoredSpans()).toBe(ignoredBefore + 2);
  });

  it('should store each event once when the exporter itself retries an export whose answer was lost after ingest-api took it', async () => {
    // A proxy in front of ingest-api: it forwards every export, and answers the first with 503 and
    // Retry-After: 0 whatever ingest-api said, as a gateway whose upstream answer timed out does. The
    // exporter's own retry logic (429/502/503/504 are retryable) then sends the same export again.
    const proxy = await LossyProxy.start(tracesUrl(), 1);
    try {
      const session = conversation('exporter-retry');
      const results = await sdkExport({ key: tenant.apiKeys.ingest, encoding: 'protobuf', via: 'export', spans: [{ tool: 'issue_refund', callId: 'call-r1', session, ms: 25 }, { tool: 'lookup_order', callId: 'call-r2', session, ms: 5, error: 'order not found' }] }, proxy.url);
      expect(results.map((r) => r.code)).toEqual([SUCCESS]);
      expect(proxy.forwarded).toEqual([200, 200]);

      const actions = await actionsOf(session, 2);
      expect(actions.map((a) => [a.actionId, a.status, a.eventCount])).toEqual([['call-r1', 'executed', 2], ['call-r2', 'failed', 2]]);
      const barrier = conversation('exporter-retry-barrier');
      expect((await system.postEvents(tenant.apiKeys.ingest, anActionEventInput({ type: 'signal.rate_limited', actionId: 'call-r2', sessionId: barrier }))).status).toBe(202);
      await waitFor(async () => (await eventsOf(barrier)) === 1, { timeoutMs: 30_000, what: 'the barrier event stored' });
      expect(await eventsOf(session)).toBe(4);
    } finally {
      await proxy.stop();
    }
  });

  it('should answer in the declared shapes: partialSuccess for a rejected tool call, 401 for a bad key, 400 for a malformed body', async () => {
    const post = (body: Buffer | string, contentType: string, key = tenant.apiKeys.ingest, encoding?: string) =>
      fetch(tracesUrl(), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType, ...(encoding ? { 'content-encoding': encoding } : {}) }, body });
    const span = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', startTimeUnixNano: '1764000000000000000', endTimeUnixNano: '1764000000001000000' };
    const rejected = { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } }, { key: 'gen_ai.tool.name', value: { stringValue: 'x' } }, { key: 'agent_ledger.tool.risk_level', value: { stringValue: 'extreme' } }] }] }] }] };
    const partial = await post(gzipSync(JSON.stringify(rejected)), 'application/json', undefined, 'gzip');
    const partialBody = await partial.json();
    expect([partial.status, partialBody]).toEqual([200, { partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('agent_ledger.tool.risk_level') } }]);
    expectResponseMatchesOpenApi(openApi, 'POST', '/v1/traces', 200, partialBody, partial.headers.get('content-type') ?? undefined);

    const denied = await sdkExport({ key: 'alk_not_a_key', encoding: 'protobuf', via: 'export', spans: [{ tool: 'noop', callId: 'call-5', session: conversation('denied'), ms: 1 }] });
    expect(denied).toEqual([expect.objectContaining({ code: FAILED, httpCode: 401 })]);

    for (const [answer, code, field] of [
      [await post(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'application/x-protobuf'), 'malformed_protobuf', '(body)'],
      [await post(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, startTimeUnixNano: true }] }] }] }), 'application/json'), 'invalid_otlp_body', '/resourceSpans/0/scopeSpans/0/spans/0/startTimeUnixNano'],
      [await post('spans', 'text/plain'), 'unsupported_media_type', 'Content-Type'],
    ] as const) {
      const body = (await answer.json()) as { error?: { code?: string; field?: string } };
      expect({ status: answer.status, code: body.error?.code, field: body.error?.field }).toEqual({ status: code === 'unsupported_media_type' ? 415 : 400, code, field });
      expectResponseMatchesOpenApi(openApi, 'POST', '/v1/traces', answer.status, body, answer.headers.get('content-type') ?? undefined);
    }
  });
});

/**
 * An HTTP proxy to one upstream URL that forwards every request and answers the first `lose` of
 * them with 503 and `Retry-After: 0` instead of the upstream's answer: the upstream took the
 * request, the client never learnt it.
 */
class LossyProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** The upstream's status for each forwarded request, in order. */
    readonly forwarded: number[],
  ) {}

  static async start(upstream: string, lose: number): Promise<LossyProxy> {
    const forwarded: number[] = [];
    const server = createServer((req, res) => {
      void (async () => {
        const answer = await fetch(upstream, { method: 'POST', headers: forwardedHeaders(req), body: await readBody(req) });
        const body = Buffer.from(await answer.arrayBuffer());
        forwarded.push(answer.status);
        if (forwarded.length <= lose) {
          res.writeHead(503, { 'retry-after': '0' }).end();
          return;
        }
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' }).end(body);
      })().catch((err: Error) => res.writeHead(599).end(err.message));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new LossyProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, forwarded);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const keep = ['authorization', 'content-type', 'content-encoding'];
  return Object.fromEntries(keep.filter((h) => typeof req.headers[h] === 'string').map((h) => [h, req.headers[h] as string]));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
