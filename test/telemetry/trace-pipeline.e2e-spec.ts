import { randomBytes, randomUUID } from 'node:crypto';
import { ACTION_EVENTS_TOPIC, WEBHOOK_QUEUE } from '@agent-ledger/contracts';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import type { ServiceName } from '@agent-ledger/testing';
import { TestHttpReceiver } from '../notifications/receivers';
import { OtlpJsonReceiver, SPAN_KIND, type ReceivedSpan } from './otlp-receiver';

const HOOK = '/p1-trace-hook';
const SERVICES: ServiceName[] = ['audit-api', 'ingest-api', 'audit-projector', 'escalation-worker', 'notifier'];

/**
 * One trace end to end: the built services export their spans over OTLP/HTTP (JSON) to a receiver
 * on loopback; an agent's failed destructive action, posted with the agent's own traceparent, goes
 * through ingest, Kafka, the projector, the escalation worker, Kafka again, the notifier's BullMQ
 * webhook job and the signed webhook request to a real HTTP receiver — which must get a
 * traceparent of the agent's trace, and every hop must have exported a span of it.
 */
describe('tracing through the pipeline', () => {
  const otlp = new OtlpJsonReceiver();
  const hooks = new TestHttpReceiver();
  let system: LedgerSystem;
  let tenant: TestTenant;

  beforeAll(async () => {
    await Promise.all([otlp.start(), hooks.start()]);
    const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '200' };
    const env: Partial<Record<ServiceName, NodeJS.ProcessEnv>> = Object.fromEntries(SERVICES.map((s) => [s, { ...telemetry }]));
    env['audit-api'] = { ...env['audit-api'], LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32' };
    env.notifier = { ...env.notifier, LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32', NOTIFIER_SESSION_TIMEOUT_MS: '6000', NOTIFIER_WEBHOOK_RETRY_SCHEDULE: '0,300ms' };
    system = await new LedgerSystem({ services: SERVICES, env }).start();
    tenant = await system.createTenant(`p1-trace-${system.suffix}`);
    const channels = await system.api('PUT', '/v1/channels', tenant.apiKeys.admin, { webhooks: [{ url: hooks.url(HOOK) }] });
    if (channels.status !== 200) throw new Error(`PUT /v1/channels answered ${channels.status}: ${JSON.stringify(channels.body)}`);
  });

  afterEach(() => {
    for (const name of SERVICES) {
      const p = system.service(name);
      if (p.exitCode !== null || p.signal) throw new Error(`${name} exited (${p.exitCode ?? p.signal}):\n${p.logs().slice(-4_000)}`);
    }
  });

  afterAll(async () => {
    await system?.stop();
    await Promise.all([otlp.stop(), hooks.stop()]);
  });

  it('should carry one trace from POST /v1/events through the projector, the escalation worker and the notifier job to the webhook request', async () => {
    const traceId = randomBytes(16).toString('hex');
    const agentSpanId = randomBytes(8).toString('hex');
    const actionId = `p1-action-${randomUUID()}`;
    const event = anActionEventInput({ type: 'action.failed', actionId, sessionId: `p1-session-${randomUUID()}`, tool: { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' } });

    const posted = await system.http('POST', `${system.url('ingest-api')}/v1/events`, { key: tenant.apiKeys.ingest, json: event, headers: { traceparent: `00-${traceId}-${agentSpanId}-01` } });
    expect(posted.status).toBe(202);

    // The webhook request carries the trace on (the escalation opened by the failed action).
    await waitFor(async () => hooks.at(HOOK).length > 0, { timeoutMs: 60_000, what: 'the escalation webhook' });
    const delivered = hooks.at(HOOK)[0];
    expect(JSON.parse(delivered.body)).toMatchObject({ type: 'escalation.opened', data: { tenantId: tenant.tenantId } });
    const [, webhookTraceId, webhookParentId] = String(delivered.headers.traceparent).split('-');
    expect(webhookTraceId).toBe(traceId);

    const one = (what: string, pick: (s: ReceivedSpan) => boolean) => {
      const found = otlp.spans.filter(pick);
      if (found.length !== 1) throw new Error(`expected one ${what} span, found ${found.length}: ${JSON.stringify(found)}`);
      return found[0];
    };
    const inTrace = (service: string, name: string) => (s: ReceivedSpan) => s.traceId === traceId && s.service === service && s.name === name;
    // The webhook request's client span (PostgreSQL and Redis calls are client spans too: told apart by the URL).
    const isWebhookRequest = (s: ReceivedSpan) => s.traceId === traceId && s.service === 'notifier' && s.kind === SPAN_KIND.client && String(s.attributes['url.full'] ?? s.attributes['http.url'] ?? '').endsWith(HOOK);
    // Each service exports in its own batches, and a parent span ends (and is exported) after its
    // children: wait until every span the test reads has arrived.
    const expected = [
      (s: ReceivedSpan) => s.traceId === traceId && s.service === 'ingest-api' && s.kind === SPAN_KIND.server,
      inTrace('ingest-api', `${ACTION_EVENTS_TOPIC} send`),
      (s: ReceivedSpan) => s.service === 'audit-projector' && s.links.some((l) => l.traceId === traceId),
      inTrace('escalation-worker', 'escalation-worker evaluate'),
      inTrace('notifier', 'notifier plan'),
      inTrace('notifier', `${WEBHOOK_QUEUE} process`),
      isWebhookRequest,
    ];
    await waitFor(async () => expected.every((pick) => otlp.spans.some(pick)), { timeoutMs: 30_000, what: 'the spans of the trace exported' });
    expect(otlp.refused).toEqual([]);

    // ingest: the request's server span (child of the agent's span), and one send span for the event.
    const request = one('ingest server', (s) => s.traceId === traceId && s.service === 'ingest-api' && s.kind === SPAN_KIND.server);
    expect(request.parentSpanId).toBe(agentSpanId);
    const send = one('ingest send', inTrace('ingest-api', `${ACTION_EVENTS_TOPIC} send`));
    expect(send.kind).toBe(SPAN_KIND.producer);
    expect(send.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'refund_order',
      'gen_ai.tool.call.id': actionId,
      'gen_ai.agent.id': 'support-bot',
      'gen_ai.agent.name': 'Support bot',
      'messaging.destination.name': ACTION_EVENTS_TOPIC,
    });

    // projector: its batch span is a trace of its own, linked to the event's send span.
    const batch = one('projector batch', (s) => s.service === 'audit-projector' && s.name === `${ACTION_EVENTS_TOPIC} process` && s.links.some((l) => l.traceId === traceId));
    expect(batch.kind).toBe(SPAN_KIND.consumer);
    expect(batch.links).toContainEqual({ traceId, spanId: send.spanId });

    // escalation worker: the event handled under its send span; the escalation it publishes follows.
    const evaluate = one('worker evaluate', inTrace('escalation-worker', 'escalation-worker evaluate'));
    expect(evaluate.parentSpanId).toBe(send.spanId);
    expect(evaluate.attributes).toMatchObject({ 'gen_ai.tool.call.id': actionId, 'gen_ai.tool.name': 'refund_order' });

    // notifier: the escalation planned under the worker's span, the job run under the planning span, the request under the job.
    const plan = one('notifier plan', inTrace('notifier', 'notifier plan'));
    expect(plan.parentSpanId).toBe(evaluate.spanId);
    const job = one('webhook job', inTrace('notifier', `${WEBHOOK_QUEUE} process`));
    expect(job.parentSpanId).toBe(plan.spanId);
    expect(job.attributes).toMatchObject({ 'messaging.system': 'bullmq', 'agent_ledger.tenant.id': tenant.tenantId });
    const client = one('webhook request', isWebhookRequest);
    expect(client.parentSpanId).toBe(job.spanId);
    expect(webhookParentId).toBe(client.spanId);
  });
});
