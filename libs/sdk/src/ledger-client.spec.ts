import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerClient, type LedgerClientOptions } from './ledger-client';
import { LedgerError } from './ledger-error';
import type { AttemptedEvent } from './ledger-events';

// Every test talks to a real HTTP server on 127.0.0.1 that plays the ingest API: it records each
// request and answers as the test's responder says. No fetch mocks.

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBytes: number;
  body: { events: Array<Record<string, any>> };
  receivedAt: number;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Reset the connection instead of answering. */
  destroy?: boolean;
}

type Responder = (request: ReceivedRequest, index: number) => Reply;

const accept: Responder = (req) => ({ status: 202, body: { accepted: req.body.events.map((e) => ({ eventId: e.eventId })) } });

/** The ingest service's error body (libs/runtime ApiError): fields listed under `errors` by `field` pointer. */
const errorBody = (code: string, message: string, fields: { pointer: string; code: string; message: string }[] = []) => ({
  error: { code, message, ...(fields.length ? { field: fields[0].pointer, errors: fields.map((f) => ({ field: f.pointer, code: f.code, message: f.message })) } : {}) },
});

interface IngestStub {
  url: string;
  requests: ReceivedRequest[];
  /** When each 2xx answer was written. */
  acknowledgedAt: number[];
  close(): Promise<void>;
}

async function startIngestStub(responder: Responder = accept): Promise<IngestStub> {
  const requests: ReceivedRequest[] = [];
  const acknowledgedAt: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawBytes: raw.length,
        body: JSON.parse(raw.toString('utf8')),
        receivedAt: Date.now(),
      };
      requests.push(received);
      const reply = responder(received, requests.length - 1);
      const answer = () => {
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        if (res.destroyed) return;
        if (reply.status < 300) acknowledgedAt.push(Date.now());
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    acknowledgedAt,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const anAttempt = (overrides: Partial<AttemptedEvent> = {}): AttemptedEvent => ({
  sessionId: 'conv-7',
  agent: { id: 'support-bot', name: 'Support bot', version: '1.4.0' },
  actor: { type: 'agent', id: 'support-bot' },
  tool: { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' },
  input: { orderId: 'A-1001', amount: 25 },
  approval: { required: false, decision: 'not_required' },
  ...overrides,
});

const eventIdsOf = (request: ReceivedRequest): string[] => request.body.events.map((e) => e.eventId);

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(LedgerError);
    return err as LedgerError;
  }
  throw new Error('expected a rejection');
}

describe(LedgerClient.name, () => {
  let stub: IngestStub | undefined;
  let client: LedgerClient | undefined;

  const setup = async (responder: Responder = accept, options: Partial<LedgerClientOptions> = {}) => {
    stub = await startIngestStub(responder);
    client = new LedgerClient({ url: stub.url, apiKey: 'alk_test_key', retryBaseDelayMs: 1, flushIntervalMs: 60_000, ...options });
    return { stub, client };
  };

  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await stub?.close();
    client = undefined;
    stub = undefined;
  });

  describe('batching', () => {
    it('should send ceil(N / batchSize) requests in order when N events are recorded', async () => {
      const { stub, client } = await setup(accept, { batchSize: 10 });

      const ids = await Promise.all(Array.from({ length: 25 }, (_, i) => client.record({ type: 'signal.rate_limited', sessionId: `s-${i}` })));
      await client.flush();

      expect(stub.requests.map((r) => r.body.events.length)).toEqual([10, 10, 5]);
      expect(stub.requests.flatMap(eventIdsOf)).toEqual(ids);
      expect(new Set(ids).size).toBe(25);
      for (const id of ids) expect(id).toMatch(UUID_V4);
    });

    it('should send ceil(N / batchSize) requests when events are recorded one at a time', async () => {
      const { stub, client } = await setup(accept, { batchSize: 4 });

      for (let i = 0; i < 9; i++) await client.record({ type: 'signal.rate_limited', sessionId: 's' });
      await client.flush();

      expect(stub.requests.map((r) => r.body.events.length)).toEqual([4, 4, 1]);
    });

    it('should send a partial batch when flushIntervalMs elapses', async () => {
      const { stub, client } = await setup(accept, { batchSize: 100, flushIntervalMs: 30 });

      await client.record({ type: 'signal.handoff_requested', sessionId: 'conv-1' });
      await client.record({ type: 'signal.handoff_requested', sessionId: 'conv-2' });

      await waitUntil(() => stub.requests.length === 1);
      expect(stub.requests[0].body.events).toHaveLength(2);
      expect(client.queued).toBe(0);
    });

    it('should split a batch into requests under maxRequestBytes when the events are large', async () => {
      const maxRequestBytes = 5_000;
      const { stub, client } = await setup(accept, { batchSize: 100, maxRequestBytes });

      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push(await client.record({ type: 'signal.rate_limited', sessionId: 's', metadata: { blob: 'x'.repeat(1_500) } }));
      await client.flush();

      expect(stub.requests.length).toBeGreaterThan(1);
      for (const r of stub.requests) expect(r.rawBytes).toBeLessThanOrEqual(maxRequestBytes);
      expect(stub.requests.flatMap(eventIdsOf)).toEqual(ids);
    });

    it('should reject batchSize above 1,000 when constructed', () => {
      expect(() => new LedgerClient({ url: 'http://127.0.0.1:1', apiKey: 'k', batchSize: 1_001 })).toThrow(RangeError);
    });
  });

  describe('request', () => {
    it('should POST the events to /v1/events with the API key as a bearer token when sending', async () => {
      const { stub, client } = await setup();

      await client.record({ type: 'signal.permission_denied', sessionId: 'conv-1' });
      await client.flush();

      const [request] = stub.requests;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/v1/events');
      expect(request.headers.authorization).toBe('Bearer alk_test_key');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.body.events[0]).toEqual({
        type: 'signal.permission_denied',
        sessionId: 'conv-1',
        eventId: expect.stringMatching(UUID_V4),
        occurredAt: expect.any(String),
        producer: { id: client.producerId, seq: 1 },
      });
    });

    it('should keep the eventId and occurredAt the caller gave when recording', async () => {
      const { stub, client } = await setup();
      const eventId = '0b0e4c1a-6a4e-4b55-9d1e-3f1b2b8a4c11';

      const returned = await client.record({ type: 'signal.rate_limited', sessionId: 's', eventId, occurredAt: new Date('2025-01-31T09:30:00Z') });
      await client.flush();

      expect(returned).toBe(eventId);
      expect(stub.requests[0].body.events[0]).toMatchObject({ eventId, occurredAt: '2025-01-31T09:30:00.000Z' });
    });

    it('should record every event type when its typed helper is called', async () => {
      const { stub, client } = await setup();
      const ctx = { sessionId: 'conv-9', agent: { id: 'a', name: 'A' }, actor: { type: 'agent' as const, id: 'a' } };

      const actionId = await client.attempted(anAttempt({ sessionId: 'conv-9' }));
      await client.confirmed({ ...ctx, actionId, approval: { required: true, decision: 'approved', approvedBy: 'lead@example.com', method: 'slack' } });
      await client.executed({ ...ctx, actionId, output: { refunded: 25 }, durationMs: 120 });
      await client.failed({ ...ctx, actionId: 'action-2', error: { message: 'upstream refused', code: 'E_UPSTREAM' } });
      await client.cancelled({ ...ctx, actionId: 'action-3', approval: { required: true, decision: 'rejected' } });
      await client.handoffRequested(ctx);
      await client.agentHandoff(ctx);
      await client.permissionDenied({ ...ctx, tool: { name: 'delete_account', riskLevel: 'critical' } });
      await client.rateLimited(ctx);
      await client.budgetExceeded(ctx);
      await client.changeRecorded({ ...ctx, resource: { type: 'escalation_rule', id: 'r-1' }, changes: { before: null, after: { enabled: true } } });
      await client.record({ type: 'action.executed', actionId: 'action-4', durationMs: 5 });
      await client.flush();

      const events = stub.requests.flatMap((r) => r.body.events);
      expect(events.map((e) => e.type)).toEqual([
        'action.attempted',
        'action.confirmed',
        'action.executed',
        'action.failed',
        'action.cancelled',
        'signal.handoff_requested',
        'signal.agent_handoff',
        'signal.permission_denied',
        'signal.rate_limited',
        'signal.budget_exceeded',
        'change.recorded',
        'action.executed',
      ]);
      expect(actionId).toMatch(UUID_V4);
      expect(events.slice(0, 3).map((e) => e.actionId)).toEqual([actionId, actionId, actionId]);
      expect(events[0]).toMatchObject({ tool: { riskLevel: 'destructive' }, input: { orderId: 'A-1001' } });
    });

    it('should record messages, the task lifecycle, budget and plan when their helpers are called', async () => {
      const { stub, client } = await setup();
      const ctx = { sessionId: 'conv-9', plan: { planId: 'plan-1', stepId: 'step-1' } };

      await client.message({ ...ctx, message: { role: 'user', content: 'Refund my order', tokens: 4, model: 'm-1' } });
      await client.taskQueued({ ...ctx, taskId: 'task-1' });
      await client.taskCompleted({ ...ctx, taskId: 'task-1', durationMs: 900, budget: { used: 0.3, limit: 2, unit: 'usd' } });
      await client.taskFailed({ ...ctx, taskId: 'task-2', error: { message: 'crm down' } });
      await client.flush();

      const events = stub.requests.flatMap((r) => r.body.events);
      expect(events.map((e) => [e.type, e.taskId])).toEqual([
        ['message.recorded', undefined],
        ['task.queued', 'task-1'],
        ['task.completed', 'task-1'],
        ['task.failed', 'task-2'],
      ]);
      expect(events[0]).toMatchObject({ message: { role: 'user', content: 'Refund my order', tokens: 4, model: 'm-1' }, plan: { planId: 'plan-1' } });
      expect(events[2]).toMatchObject({ budget: { used: 0.3, limit: 2, unit: 'usd' }, durationMs: 900 });
    });

    it('should refuse a task event without its taskId when it validates locally', async () => {
      const { client } = await setup();

      const error = await rejectionOf(client.taskFailed({ taskId: undefined as never, error: { message: 'x' } }));

      expect(error).toMatchObject({ code: 'invalid_event' });
      expect(JSON.stringify(error)).toContain('/taskId');
    });

    it('should use the actionId the caller gave when attempted() is called with one', async () => {
      const { stub, client } = await setup();

      const actionId = await client.attempted(anAttempt({ actionId: 'refund-42' }));
      await client.flush();

      expect(actionId).toBe('refund-42');
      expect(stub.requests[0].body.events[0].actionId).toBe('refund-42');
    });
  });

  describe('retries', () => {
    it('should deliver once with the same eventIds when the server answers 503, 503, then 202', async () => {
      const unavailable = errorBody('kafka_unavailable', 'the event log is unreachable');
      const { stub, client } = await setup((req, i) => (i < 2 ? { status: 503, body: unavailable } : accept(req, i)));

      const ids = [await client.attempted(anAttempt()), await client.record({ type: 'signal.rate_limited', sessionId: 's' })];
      await client.flush();

      expect(stub.requests).toHaveLength(3);
      expect(stub.acknowledgedAt).toHaveLength(1);
      const [first, second, third] = stub.requests.map(eventIdsOf);
      expect(second).toEqual(first);
      expect(third).toEqual(first);
      expect(first).toHaveLength(2);
      expect(stub.requests[0].body.events[1].eventId).toBe(ids[1]);
    });

    it.each([
      [400, 'invalid_event', [{ pointer: '/events/0/tool/riskLevel', code: 'enum', message: 'tool.riskLevel must be one of: safe, moderate, destructive, critical' }]],
      [401, 'unauthorized', []],
      [403, 'forbidden', []],
      [413, 'payload_too_large', []],
      [415, 'unsupported_media_type', []],
    ])('should not retry and surface the error body when the server answers %i', async (status, code, fields) => {
      const { stub, client } = await setup(() => ({ status, body: errorBody(code, `rejected with ${status}`, fields) }), { maxRetries: 6 });

      await client.attempted(anAttempt());
      const error = await rejectionOf(client.flush());
      await sleep(100); // a retry (backoff of 1 ms) would have arrived by now

      expect(stub.requests).toHaveLength(1);
      expect(error).toMatchObject({ code, status, message: `rejected with ${status}`, fields, attempts: 1, retryable: false });
      expect(error.events.map((e) => e.eventId)).toEqual(eventIdsOf(stub.requests[0]));
    });

    it.each([429, 503])('should wait for Retry-After when the server answers %i with it', async (status) => {
      const { stub, client } = await setup((req, i) =>
        i === 0 ? { status, headers: { 'retry-after': '1' }, body: errorBody('slow_down', 'try later') } : accept(req, i),
      );

      await client.record({ type: 'signal.rate_limited', sessionId: 's' });
      await client.flush();

      expect(stub.requests).toHaveLength(2);
      // Without Retry-After the backoff would be ~1 ms.
      expect(stub.requests[1].receivedAt - stub.requests[0].receivedAt).toBeGreaterThanOrEqual(950);
      expect(eventIdsOf(stub.requests[1])).toEqual(eventIdsOf(stub.requests[0]));
    });

    it('should retry with the same eventIds when the connection is reset', async () => {
      const { stub, client } = await setup((req, i) => (i === 0 ? { status: 0, destroy: true } : accept(req, i)));

      await client.record({ type: 'signal.rate_limited', sessionId: 's' });
      await client.flush();

      expect(stub.requests).toHaveLength(2);
      expect(eventIdsOf(stub.requests[1])).toEqual(eventIdsOf(stub.requests[0]));
    });

    it('should retry with the same eventIds when no response arrives within timeoutMs', async () => {
      const { stub, client } = await setup((req, i) => (i === 0 ? { ...accept(req, i), delayMs: 1_000 } : accept(req, i)), { timeoutMs: 100 });

      await client.record({ type: 'signal.rate_limited', sessionId: 's' });
      await client.flush();

      expect(stub.requests.length).toBeGreaterThanOrEqual(2);
      expect(eventIdsOf(stub.requests[1])).toEqual(eventIdsOf(stub.requests[0]));
    });

    it('should throw the last error with every attempt counted when retries are exhausted', async () => {
      const { stub, client } = await setup(() => ({ status: 503, body: errorBody('kafka_unavailable', 'the event log is unreachable') }), { maxRetries: 2 });

      await client.record({ type: 'signal.rate_limited', sessionId: 's' });
      const error = await rejectionOf(client.flush());

      expect(stub.requests).toHaveLength(3);
      expect(error).toMatchObject({ code: 'kafka_unavailable', status: 503, attempts: 3, retryable: true });
      expect(error.events).toHaveLength(1);
    });

    it('should surface a network error when the ledger is unreachable', async () => {
      const { stub } = await setup();
      const url = stub.url;
      await stub.close();
      client = new LedgerClient({ url, apiKey: 'k', maxRetries: 1, retryBaseDelayMs: 1 });

      await client.record({ type: 'signal.rate_limited', sessionId: 's' });
      const error = await rejectionOf(client.flush());

      expect(error).toMatchObject({ code: 'network_error', attempts: 2, retryable: true });
    });
  });

  describe('flush and close', () => {
    it('should send everything queued and refuse new events when close() is called', async () => {
      const { stub, client } = await setup(accept, { batchSize: 100, flushIntervalMs: 60_000 });

      for (let i = 0; i < 3; i++) await client.record({ type: 'signal.rate_limited', sessionId: 's' });
      expect(stub.requests).toHaveLength(0);
      await client.close();

      expect(stub.requests.map((r) => r.body.events.length)).toEqual([3]);
      expect(stub.acknowledgedAt).toHaveLength(1);
      await expect(client.record({ type: 'signal.rate_limited', sessionId: 's' })).rejects.toMatchObject({ code: 'client_closed' });
    });

    it('should report a background failure to onError and to the next flush when the timer sent the batch', async () => {
      const onError = jest.fn();
      const { stub, client } = await setup(() => ({ status: 401, body: errorBody('unauthorized', 'unknown API key') }), { flushIntervalMs: 10, onError });

      const eventId = await client.record({ type: 'signal.rate_limited', sessionId: 's' });
      await waitUntil(() => onError.mock.calls.length === 1);
      const error = await rejectionOf(client.flush());

      expect(stub.requests).toHaveLength(1);
      expect(error.code).toBe('unauthorized');
      expect(error.events.map((e) => e.eventId)).toEqual([eventId]);
      await expect(client.flush()).resolves.toBeUndefined();
    });
  });

  describe('immediate send', () => {
    it('should resolve only after the ledger acknowledged the event when send is immediate', async () => {
      const { stub, client } = await setup((req, i) => ({ ...accept(req, i), delayMs: 150 }));

      await client.attempted(anAttempt(), { send: 'immediate' });
      const resolvedAt = Date.now();

      expect(stub.acknowledgedAt).toHaveLength(1);
      expect(resolvedAt).toBeGreaterThanOrEqual(stub.acknowledgedAt[0]);
    });

    it('should send the events queued before it in the same request when send is immediate', async () => {
      const { stub, client } = await setup();

      const queued = await client.record({ type: 'signal.rate_limited', sessionId: 's' });
      const urgent = await client.record({ type: 'signal.handoff_requested', sessionId: 's' }, { send: 'immediate' });

      expect(stub.requests.map(eventIdsOf)).toEqual([[queued, urgent]]);
    });

    it('should reject with the server error when an immediate event is refused', async () => {
      const fields = [{ pointer: '/events/0/actionId', code: 'required', message: 'actionId is required' }];
      const { stub, client } = await setup(() => ({ status: 400, body: errorBody('invalid_event', 'the event is invalid', fields) }));

      const error = await rejectionOf(client.record({ type: 'signal.rate_limited', sessionId: 's' }, { send: 'immediate' }));

      expect(error).toMatchObject({ code: 'invalid_event', status: 400, fields });
      expect(stub.requests).toHaveLength(1);
      // Its caller was told; flush() has nothing left to report.
      await expect(client.flush()).resolves.toBeUndefined();
    });
  });

  describe('local validation', () => {
    it('should reject with every invalid field and send nothing when an event is invalid', async () => {
      const { stub, client } = await setup();

      const error = await rejectionOf(client.attempted(anAttempt({ tool: { name: 'refund_order', riskLevel: 'extreme' as never } })));
      await client.flush();

      expect(error.code).toBe('invalid_event');
      expect(error.fields).toEqual([expect.objectContaining({ pointer: '/tool/riskLevel', code: 'enum' })]);
      expect(stub.requests).toHaveLength(0);
    });

    it.each([
      ['/input/note', 'text', { input: { note: 'a\u0000b' } }],
      ['/input/\uD800', 'text', { input: { '\uD800': 1 } }],
      ['/occurredAt', 'range', { occurredAt: '0000-01-01T00:00:00Z' }],
      ['/input/n', 'finite', { input: { n: Infinity } }],
    ])('should send nothing and name %s (%s) when the event breaks the intake contract', async (pointer, code, fields) => {
      const { stub, client } = await setup();

      const error = await rejectionOf(client.attempted(anAttempt(fields as never)));
      await client.flush();

      expect(error.fields).toEqual([expect.objectContaining({ pointer, code })]);
      expect(stub.requests).toHaveLength(0);
    });

    it('should reject tenantId in the event when recording', async () => {
      const { client } = await setup();

      const error = await rejectionOf(client.record({ type: 'signal.rate_limited', sessionId: 's', tenantId: 'x' } as never));

      expect(error.fields).toEqual([expect.objectContaining({ pointer: '/tenantId', code: 'forbidden' })]);
    });

    it('should reject an event larger than one request when recording', async () => {
      const { stub, client } = await setup(accept, { maxRequestBytes: 2_000 });

      const error = await rejectionOf(client.record({ type: 'signal.rate_limited', sessionId: 's', input: { blob: 'x'.repeat(3_000) } }));
      await client.flush();

      expect(error.code).toBe('event_too_large');
      expect(stub.requests).toHaveLength(0);
    });
  });
});
