import { ACTION_EVENTS_TOPIC, type ActionEventInput, type ToolRef } from '@agent-ledger/contracts';
import { createKafka } from '@agent-ledger/kafka';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { Webhook } from 'standardwebhooks';
import { TestHttpReceiver } from './receivers';

interface WebhookView {
  id: string;
  url: string;
  secret?: string;
}

interface DeliveryView {
  id: string;
  escalationId: string | null;
  eventId: string | null;
  eventType: string;
  channel: string;
  target: string;
  endpointId: string | null;
  messageId: string;
  status: string;
  attemptCount: number;
}

interface ApiProblem {
  error: { code: string; errors: { field: string; code: string }[] };
}

/**
 * Webhooks for ledger events end to end: events posted through the real ingest API onto the real
 * action events topic, the built notifier's action events consumer planning deliveries from the
 * tenant's webhook filters, signed deliveries to a real HTTP receiver on loopback, and the
 * delivery log through audit-api.
 */
describe('webhooks for ledger events', () => {
  const receiver = new TestHttpReceiver();
  const system = new LedgerSystem({
    services: ['audit-api', 'ingest-api', 'notifier'],
    env: {
      'audit-api': { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32' },
      // No filter cache: a filter is seen by the next event (the cache is unit-tested; here it would only add a race with PUT /v1/channels).
      notifier: { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32', NOTIFIER_SESSION_TIMEOUT_MS: '6000', NOTIFIER_SWEEP_INTERVAL_MS: '300', NOTIFIER_EVENT_FILTER_CACHE_MS: '0' },
    },
  });
  const eventsGroup = `${system.notifierGroup}-events`;

  beforeAll(async () => {
    await receiver.start();
    await system.start();
  });

  afterAll(async () => {
    await system.stop();
    await receiver.stop();
  });

  const putChannels = (tenant: TestTenant, body: unknown) => system.api<{ webhooks: WebhookView[] } & ApiProblem>('PUT', '/v1/channels', tenant.apiKeys.admin, body);

  /** Waits until the notifier's events group has committed past everything on the topic now: every event posted so far is planned. */
  async function waitForEventsPlanned(): Promise<void> {
    const admin = createKafka({ brokers: system.stack.kafkaBrokers, clientId: `event-webhooks-${system.suffix}` }).admin();
    await admin.connect();
    try {
      const ends = new Map((await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC)).map((o) => [o.partition, BigInt(o.high)]));
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId: eventsGroup, topics: [ACTION_EVENTS_TOPIC] });
          return committed.partitions.every((p) => BigInt(p.offset) >= (ends.get(p.partition) ?? 0n));
        },
        { timeoutMs: 30_000, intervalMs: 250, what: `group ${eventsGroup} past the end of ${ACTION_EVENTS_TOPIC}` },
      );
    } finally {
      await admin.disconnect();
    }
  }

  async function webhookDeliveries(tenant: TestTenant): Promise<DeliveryView[]> {
    const answer = await system.api<{ deliveries: DeliveryView[] }>('GET', '/v1/deliveries?channel=webhook&limit=200', tenant.apiKeys.read);
    if (answer.status !== 200) throw new Error(`GET /v1/deliveries answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.deliveries;
  }

  it('should answer 400 naming the code and field when a webhook filter over ledger events is invalid', async () => {
    const tenant = await system.createTenant();
    const url = receiver.url('/invalid');
    const answer = await putChannels(tenant, {
      webhooks: [
        { url, filter: { events: ['action.exploded'] } },
        { url, filter: { riskLevels: ['destructive'] } },
        { url, filter: { events: ['action.failed'], riskLevels: ['apocalyptic'], tools: [''] } },
        { url, filter: { events: ['action.failed'], minSeverity: 'error' } },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
    expect(answer.body.error.errors.map((e) => `${e.field} ${e.code}`).sort()).toEqual(
      [
        '/webhooks/0/filter/events/0 invalid_enum_value',
        '/webhooks/1/filter/riskLevels invalid',
        '/webhooks/2/filter/riskLevels/0 invalid_enum_value',
        '/webhooks/2/filter/tools/0 too_small',
        '/webhooks/3/filter/minSeverity invalid',
      ].sort(),
    );
    expect((await system.api<{ webhooks: unknown[] }>('GET', '/v1/channels', tenant.apiKeys.admin)).body.webhooks).toEqual([]);
  });

  it('should deliver every failed event of a destructive tool once, signed, without personal data, to the webhook filtered on them', async () => {
    const tenant = await system.createTenant();
    const hooks = await putChannels(tenant, {
      webhooks: [
        { url: receiver.url('/failed-destructive'), filter: { events: ['action.failed'], riskLevels: ['destructive'] } },
        { url: receiver.url('/escalations-only') },
      ],
    });
    expect(hooks.status).toBe(200);
    const [wanted, escalationsOnly] = hooks.body.webhooks;

    const destructive = { name: 'delete_account', provider: 'crm', riskLevel: 'destructive' as const };
    const safe = { name: 'lookup_order', provider: 'shop', riskLevel: 'safe' as const };
    const failed = (tool: ToolRef, i: number, extra: Partial<ActionEventInput> = {}) =>
      anActionEventInput({ type: 'action.failed', actionId: `act-${tool.name}-${i}-${system.suffix}`, tool, error: { message: `refused ${i}`, code: 'E_REFUSED' }, ...extra });
    const events: ActionEventInput[] = [
      failed(safe, 1),
      failed(safe, 2),
      anActionEventInput({ type: 'action.executed', tool: destructive }),
      anActionEventInput({ type: 'action.executed', tool: destructive }),
      anActionEventInput({ type: 'action.attempted', tool: destructive }),
      failed({ ...destructive, riskLevel: 'critical' }, 3),
      failed(destructive, 4, { subject: { id: `cust-${system.suffix}`, pii: { email: 'ana.private@example.com' } }, input: { note: 'call +1 555 0100' } }),
      failed(destructive, 5),
      failed(destructive, 6),
    ];
    const expected = events.filter((e) => e.type === 'action.failed' && e.tool?.riskLevel === 'destructive');
    expect(expected).toHaveLength(3);
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    await waitForEventsPlanned();

    // Redelivered: the same events on the topic again (ingest publishes what it gets; the event id is the key of the delivery).
    expect((await system.postEvents(tenant.apiKeys.ingest, { events: expected })).status).toBe(202);
    await waitForEventsPlanned();

    const log = await waitFor(
      async () => {
        const list = await webhookDeliveries(tenant);
        return list.length >= expected.length && list.every((d) => d.status === 'delivered') ? list : undefined;
      },
      { timeoutMs: 30_000, what: 'the webhook deliveries delivered' },
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; the delivery log: ${JSON.stringify(await webhookDeliveries(tenant))}\n--- notifier ---\n${system.service('notifier').logs().slice(-6_000)}`);
    });
    expect(log.map((d) => d.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
    for (const d of log) {
      expect(d).toMatchObject({ escalationId: null, eventType: 'action.failed', channel: 'webhook', target: wanted.url, endpointId: wanted.id, messageId: d.eventId, status: 'delivered', attemptCount: 1 });
    }

    const calls = receiver.at('/failed-destructive');
    expect(calls.map((c) => c.headers['webhook-id']).sort()).toEqual(expected.map((e) => e.eventId).sort());
    expect(receiver.at('/escalations-only')).toEqual([]);
    expect(escalationsOnly.id).toBeDefined();
    for (const call of calls) {
      const payload = new Webhook(wanted.secret!).verify(call.body, call.headers as Record<string, string>) as { type: string; timestamp: string; data: Record<string, unknown> };
      const sent = expected.find((e) => e.eventId === call.headers['webhook-id'])!;
      expect(payload).toMatchObject({
        type: 'action.failed',
        timestamp: sent.occurredAt,
        data: { eventId: sent.eventId, tenantId: tenant.tenantId, actionId: sent.actionId, tool: destructive, error: { message: sent.error!.message, code: 'E_REFUSED' }, url: `${system.url('audit-api')}/actions/${sent.actionId}` },
      });
      expect(() => new Webhook(wanted.secret!).verify(call.body.replace('refused', 'accepted'), call.headers as Record<string, string>)).toThrow();
      for (const hidden of ['ana.private@example.com', '555 0100', '$enc', '"pii"', '"input"']) expect(call.body).not.toContain(hidden);
    }
    expect(JSON.parse(calls.find((c) => c.headers['webhook-id'] === expected[0].eventId)!.body).data.subjectId).toBe(`cust-${system.suffix}`);
  });
});
