import { createHmac, randomUUID } from 'node:crypto';
import {
  ESCALATION_EVENT_SCHEMA_VERSION,
  ESCALATIONS_TOPIC,
  escalationEventKey,
  SCHEMA_VERSION_HEADER,
  validateEscalationEvent,
  type EscalationEvent,
  type EscalationOpenedEvent,
} from '@agent-ledger/contracts';
import { createKafka, LedgerProducer } from '@agent-ledger/kafka';
import { commitGroupAtTopicEnd, freePort, LedgerSystem, runToExit, uniqueSuffix, waitFor, type HttpAnswer, type TestTenant } from '@agent-ledger/testing';
import { Webhook } from 'standardwebhooks';
import { PrivateRedis, TestHttpReceiver, TestSmtpServer, type ReceivedCall } from './receivers';

const DASHBOARD = 'http://dashboard.test:3200';

interface WebhookView {
  id: string;
  url: string;
  format: string;
  enabled: boolean;
  disabledReason: string | null;
  secretVersion: number;
  secret?: string;
}

interface DeliveryView {
  id: string;
  escalationId: string | null;
  eventType: string;
  channel: string;
  target: string;
  messageId: string;
  status: string;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  attempts: { attempt: number; statusCode: number | null; outcome: string; durationMs: number; error: string | null }[];
}

/**
 * Notifications end to end: escalation events published to the real escalations topic, the built
 * notifier (BullMQ on a Redis of the test's own, which the test restarts) sending to a real SMTP
 * server and a real HTTP receiver on loopback, channels and the delivery log through audit-api.
 */
describe('notifications', () => {
  const smtp = new TestSmtpServer();
  const receiver = new TestHttpReceiver();
  let redis: PrivateRedis;
  let system: LedgerSystem;
  const suffix = uniqueSuffix();
  const groupId = `notifier-${suffix}`;
  const kafka = () => createKafka({ brokers: system.stack.kafkaBrokers, clientId: `notifications-e2e-${suffix}` });
  let producer: LedgerProducer;

  beforeAll(async () => {
    await Promise.all([smtp.start(), receiver.start()]);
    redis = new PrivateRedis(await freePort());
    await redis.start();
    system = new LedgerSystem({
      services: ['audit-api', 'notifier'],
      env: {
        // Registration allows all of loopback IPv4; delivery only 127.0.0.1 (see the delivery-time check).
        'audit-api': { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.0/8' },
        notifier: {
          REDIS_URL: redis.url,
          NOTIFIER_GROUP_ID: groupId,
          NOTIFIER_QUEUE_PREFIX: `e2e-${suffix}`,
          NOTIFIER_SESSION_TIMEOUT_MS: '6000',
          SMTP_HOST: '127.0.0.1',
          SMTP_PORT: String(smtp.port),
          SMTP_FROM: 'agent-ledger <ledger@e2e.test>',
          SMTP_TIMEOUT_MS: '5000',
          NOTIFIER_EMAIL_BACKOFF: '200ms',
          LEDGER_DASHBOARD_URL: DASHBOARD,
          LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32',
          NOTIFIER_WEBHOOK_RETRY_SCHEDULE: '0,300ms,300ms,300ms,300ms',
          NOTIFIER_WEBHOOK_TIMEOUT_MS: '3000',
          NOTIFIER_ENDPOINT_DISABLE_AFTER: '4s',
          NOTIFIER_LOCK_DURATION_MS: '4000',
          NOTIFIER_STALLED_INTERVAL_MS: '1000',
          NOTIFIER_SWEEP_INTERVAL_MS: '300',
        },
      },
    });
    // The run's group starts at the end of the topic: earlier runs' escalations are not its business.
    await startGroupAtTopicEnd(groupId);
    await system.start();
    producer = new LedgerProducer(kafka());
  });

  // A service that died during a test fails it, with its last output (every test leaves both running).
  afterEach(() => {
    for (const name of ['audit-api', 'notifier'] as const) {
      const p = system.service(name);
      if (p.exitCode !== null || p.signal) throw new Error(`${name} exited (${p.exitCode ?? p.signal}):\n${p.logs().slice(-4_000)}`);
    }
  });

  afterAll(async () => {
    await producer?.disconnect();
    await system?.stop();
    await Promise.all([smtp.stop(), receiver.stop(), redis?.destroy()]);
  });

  describe('channels', () => {
    it('should answer 400 naming each field when URLs resolve to private, loopback, link-local or metadata addresses that are not allowlisted', async () => {
      const tenant = await system.createTenant();
      const refused = ['http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/hook', 'http://[::ffff:a9fe:a9fe]/hook', 'http://0.0.0.0/hook', 'http://192.168.1.10/hook', 'http://100.100.100.200/hook'];
      const answer = await putChannels(tenant, { webhooks: [{ url: receiver.url('/allowed') }, ...refused.map((url) => ({ url }))] });
      expect(answer.status).toBe(400);
      const errors = (answer.body as { error: { code: string; errors: { field: string; code: string }[] } }).error;
      expect(errors.code).toBe('validation_failed');
      expect(errors.errors.map((e) => e.field)).toEqual(refused.map((_, i) => `/webhooks/${i + 1}/url`));
      expect(new Set(errors.errors.map((e) => e.code))).toEqual(new Set(['forbidden_address']));

      // Loopback is allowlisted (127.0.0.0/8), also written as an IPv4-mapped IPv6 address.
      const allowed = await putChannels(tenant, { webhooks: [{ url: receiver.url('/allowed') }, { url: `http://[::ffff:127.0.0.5]:${receiver.port}/mapped` }] });
      expect(allowed.status).toBe(200);
    });

    it('should answer 400 naming the field when a recipient, format, filter or URL is invalid', async () => {
      const tenant = await system.createTenant();
      const answer = await putChannels(tenant, {
        email: { recipients: ['ops@example.com', 'not-an-address', 'OPS@example.com'] },
        webhooks: [{ url: 'ftp://example.com/x' }, { url: receiver.url('/x'), format: 'teams' }, { url: receiver.url('/y'), filter: { minSeverity: 'urgent' } }, { url: 'http://user:pw@127.0.0.1/z' }],
        sms: true,
      });
      expect(answer.status).toBe(400);
      const fields = (answer.body as { error: { errors: { field: string }[] } }).error.errors.map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['/email/recipients/1', '/email/recipients/2', '/webhooks/1/format', '/webhooks/2/filter/minSeverity', '/sms']));
      const urls = await putChannels(tenant, { webhooks: [{ url: 'ftp://example.com/x' }, { url: 'http://user:pw@127.0.0.1/z' }] });
      expect(urls).toMatchObject({ status: 400, body: { error: { errors: [{ field: '/webhooks/0/url', code: 'invalid_url' }, { field: '/webhooks/1/url', code: 'credentials_in_url' }] } } });
      const unknownId = await putChannels(tenant, { webhooks: [{ id: randomUUID(), url: receiver.url('/x') }] });
      expect(unknownId).toMatchObject({ status: 400, body: { error: { field: '/webhooks/0/id', code: 'validation_failed' } } });
      const readKey = await system.api('PUT', '/v1/channels', tenant.apiKeys.read, { webhooks: [] });
      expect(readKey.status).toBe(403);
    });

    it('should show a webhook secret only when it is created or rotated and keep it stored encrypted', async () => {
      const tenant = await system.createTenant();
      const created = await putChannels(tenant, { email: { recipients: ['a@example.com'] }, webhooks: [{ url: receiver.url('/secret') }] });
      const hook = (created.body.webhooks as WebhookView[])[0];
      expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const listed = await system.api('GET', '/v1/channels', tenant.apiKeys.admin);
      expect(listed.status).toBe(200);
      expect(JSON.stringify(listed.body)).not.toContain(hook.secret!.slice(6));
      const kept = await putChannels(tenant, { webhooks: [{ id: hook.id, url: receiver.url('/secret2') }] });
      expect((kept.body.webhooks as WebhookView[])[0]).toMatchObject({ id: hook.id, url: receiver.url('/secret2') });
      expect((kept.body.webhooks as WebhookView[])[0].secret).toBeUndefined();
      const { rows } = await system.db.query(`SELECT secret_wrapped FROM webhook_endpoints WHERE id = $1`, [hook.id]);
      expect(rows[0].secret_wrapped.includes(Buffer.from(hook.secret!.slice(6), 'base64'))).toBe(false);
    });
  });

  describe('delivery', () => {
    it('should send exactly one email per recipient and one verifiable webhook per endpoint when an escalation opens, even when the event is delivered twice', async () => {
      const tenant = await system.createTenant(`acme-${suffix}`);
      const hooks = await configure(tenant, ['oncall@acme.test', 'lead@acme.test'], [{ url: receiver.url('/standard') }, { url: receiver.url('/slack'), format: 'slack' }, { url: receiver.url('/discord'), format: 'discord' }]);
      const event = opened(tenant, { sessionId: 'sess-42', actionId: 'refund-7', reason: 'customer_request', severity: 'critical', summary: 'Customer <b>asked</b> for a human about refund 7' });
      await publish(event);
      await publish(event); // a redelivered message: same event id

      await waitFor(() => smtp.received.filter((m) => m.subject.includes(tenant.name)).length >= 2 && receiver.at('/discord').length >= 1, { timeoutMs: 30_000, what: 'emails and webhooks' });
      // A later event of the same session (same partition, so read after the duplicate) marks the end of processing.
      const marker = opened(tenant, { sessionId: 'sess-42', reason: 'permission_denied' });
      await publish(marker);
      await waitFor(() => receiver.at('/standard').some((c) => c.headers['webhook-id'] === marker.eventId), { timeoutMs: 30_000, what: 'the marker webhook' });

      for (const address of ['oncall@acme.test', 'lead@acme.test']) {
        const mails = smtp.to(address).filter((m) => m.headers.get('x-agent-ledger-escalation') === event.escalationId);
        expect(mails).toHaveLength(1);
        const [mail] = mails;
        expect(mail.subject).toBe(`[agent-ledger] CRITICAL escalation opened: customer asked for a human — ${tenant.name}`);
        const link = `${DASHBOARD}/escalations/${event.escalationId}`;
        for (const part of [tenant.name, tenant.tenantId, 'customer_request', 'critical', 'sess-42', 'refund-7', 'Customer <b>asked</b> for a human about refund 7', link]) expect(mail.text).toContain(part);
        expect(mail.html).toContain('Customer &lt;b&gt;asked&lt;/b&gt; for a human');
        expect(mail.html).toContain(`href="${link}"`);
        expect(mail.from).toContain('ledger@e2e.test');
      }
      const standard = receiver.at('/standard').filter((c) => c.headers['webhook-id'] === event.eventId);
      expect(standard).toHaveLength(1);
      const [call] = standard;
      const payload = new Webhook(hooks[0].secret!).verify(call.body, call.headers as Record<string, string>) as { type: string; timestamp: string; data: Record<string, unknown> };
      expect(payload).toMatchObject({ type: 'escalation.opened', timestamp: event.occurredAt, data: { escalationId: event.escalationId, tenantId: tenant.tenantId, sessionId: 'sess-42', actionId: 'refund-7', reason: 'customer_request', severity: 'critical', url: `${DASHBOARD}/escalations/${event.escalationId}` } });
      expect(independentSignatureValid(hooks[0].secret!, call)).toBe(true);
      expect(() => new Webhook(hooks[0].secret!).verify(call.body.replace('critical', 'info'), call.headers as Record<string, string>)).toThrow();
      const stale = { ...(call.headers as Record<string, string>), 'webhook-timestamp': String(Number(call.headers['webhook-timestamp']) - 600) };
      expect(() => new Webhook(hooks[0].secret!).verify(call.body, stale)).toThrow();

      const slack = receiver.at('/slack').filter((c) => c.headers['webhook-id'] === event.eventId);
      expect(slack).toHaveLength(1);
      expect(JSON.parse(slack[0].body).text).toContain('CRITICAL escalation opened');
      expect(independentSignatureValid(hooks[1].secret!, slack[0])).toBe(true);
      const discord = receiver.at('/discord').filter((c) => c.headers['webhook-id'] === event.eventId);
      expect(discord).toHaveLength(1);
      expect(JSON.parse(discord[0].body).embeds[0]).toMatchObject({ url: `${DASHBOARD}/escalations/${event.escalationId}` });

      const log = await deliveries(tenant, `escalationId=${event.escalationId}`);
      expect(log.map((d) => `${d.channel}:${d.status}:${d.attemptCount}`).sort()).toEqual(['email:delivered:1', 'email:delivered:1', 'webhook:delivered:1', 'webhook:delivered:1', 'webhook:delivered:1']);
    });

    it('should deliver once with three logged attempts sharing one webhook-id when the receiver answers 500, 500, then 200', async () => {
      const tenant = await system.createTenant();
      receiver.on('/flaky', (n) => ({ status: n <= 2 ? 500 : 200, body: n <= 2 ? 'down for maintenance' : 'ok' }));
      await configure(tenant, [], [{ url: receiver.url('/flaky') }]);
      const event = opened(tenant);
      await publish(event);
      const [delivery] = await waitForDeliveries(tenant, 1, (d) => d.status === 'delivered');
      const calls = receiver.at('/flaky');
      expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
      expect(new Set(calls.map((c) => c.headers['webhook-id']))).toEqual(new Set([event.eventId]));
      expect(delivery).toMatchObject({ channel: 'webhook', messageId: event.eventId, attemptCount: 3, lastStatusCode: 200 });
      expect(delivery.attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
        [1, 500, 'retry'],
        [2, 500, 'retry'],
        [3, 200, 'delivered'],
      ]);
      expect(delivery.attempts[0].error).toContain('down for maintenance');
      expect(delivery.attempts.every((a) => a.durationMs >= 0)).toBe(true);
      // The schedule (0, 300 ms…) with ±10 % jitter spaces the attempts.
      expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(250);
    });

    it('should wait for Retry-After rather than the shorter schedule when the receiver answers 503 with Retry-After', async () => {
      const tenant = await system.createTenant();
      receiver.on('/busy', (n) => (n === 1 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 }));
      await configure(tenant, [], [{ url: receiver.url('/busy') }]);
      await publish(opened(tenant));
      await waitForDeliveries(tenant, 1, (d) => d.status === 'delivered');
      const calls = receiver.at('/busy');
      expect(calls).toHaveLength(2);
      expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(1_950);
    });

    it('should retry an email when the SMTP server answers 4xx and fail it for good when it answers 5xx', async () => {
      const tenant = await system.createTenant();
      const tempfail = `tempfail-once-${suffix}@acme.test`;
      const reject = `reject-${suffix}@acme.test`;
      await configure(tenant, [tempfail, reject], []);
      await publish(opened(tenant));
      const log = await waitForDeliveries(tenant, 2, (d) => d.status === 'delivered' || d.status === 'failed');
      const byTarget = Object.fromEntries(log.map((d) => [d.target, d]));
      expect(byTarget[tempfail]).toMatchObject({ status: 'delivered', attemptCount: 2 });
      expect(byTarget[tempfail].attempts.map((a) => [a.statusCode, a.outcome])).toEqual([
        [451, 'retry'],
        [250, 'delivered'],
      ]);
      expect(byTarget[reject]).toMatchObject({ status: 'failed', attemptCount: 1, lastStatusCode: 550 });
      expect(smtp.to(tempfail)).toHaveLength(1);
      expect(smtp.to(reject)).toHaveLength(0);
    });

    it('should log a failed attempt without following it when the receiver answers a redirect', async () => {
      const tenant = await system.createTenant();
      receiver.on('/redirect', () => ({ status: 302, headers: { location: receiver.url('/trap') } }));
      await configure(tenant, [], [{ url: receiver.url('/redirect') }]);
      await publish(opened(tenant));
      const [delivery] = await waitForDeliveries(tenant, 1, (d) => d.status === 'failed');
      expect(receiver.at('/trap')).toHaveLength(0);
      expect(receiver.at('/redirect')).toHaveLength(5);
      expect(delivery.attempts.every((a) => a.statusCode === 302)).toBe(true);
      expect(delivery.lastError).toContain('not followed');
    });

    it('should refuse at delivery time an address registration accepted when the notifier does not allow it', async () => {
      const tenant = await system.createTenant();
      // audit-api allowlists 127.0.0.0/8, the notifier only 127.0.0.1: as if the address had changed since registration.
      receiver.on('/elsewhere', () => ({ status: 200 }));
      await configure(tenant, [], [{ url: `http://127.0.0.2:${receiver.port}/elsewhere` }]);
      await publish(opened(tenant));
      const [delivery] = await waitForDeliveries(tenant, 1, (d) => d.status === 'failed');
      expect(delivery).toMatchObject({ attemptCount: 1, lastStatusCode: null });
      expect(delivery.lastError).toContain('refused');
      expect(receiver.at('/elsewhere')).toHaveLength(0);
    });

    it('should disable the endpoint, stop sending to it and tell the recipients when it answers 410', async () => {
      const tenant = await system.createTenant();
      receiver.on('/gone', () => ({ status: 410 }));
      const [gone] = await configure(tenant, [`owner-410-${suffix}@acme.test`], [{ url: receiver.url('/gone') }, { url: receiver.url('/alive-410') }]);
      await publish(opened(tenant));
      await waitFor(async () => !(await channels(tenant)).webhooks.find((w) => w.id === gone.id)!.enabled, { timeoutMs: 20_000, what: 'the endpoint disabled' });
      const second = opened(tenant);
      await publish(second);
      await waitFor(() => receiver.at('/alive-410').some((c) => c.headers['webhook-id'] === second.eventId), { timeoutMs: 20_000, what: 'the second event at the other endpoint' });
      expect(receiver.at('/gone')).toHaveLength(1);
      expect((await channels(tenant)).webhooks.find((w) => w.id === gone.id)).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') });
      await waitFor(() => smtp.to(`owner-410-${suffix}@acme.test`).some((m) => m.subject.includes('Webhook endpoint disabled')), { timeoutMs: 20_000, what: 'the disabled-endpoint email' });
      const [failed] = (await deliveries(tenant, 'channel=webhook&status=failed')).filter((d) => d.target === receiver.url('/gone'));
      expect(failed).toMatchObject({ attemptCount: 1, lastStatusCode: 410 });
    });

    it('should disable an endpoint and tell the tenant when it fails without a break for the configured period', async () => {
      const tenant = await system.createTenant();
      receiver.on('/broken', () => ({ status: 500 }));
      const address = `owner-broken-${suffix}@acme.test`;
      const [broken] = await configure(tenant, [address], [{ url: receiver.url('/broken'), filter: { events: ['escalation.opened'] } }]);
      await publish(opened(tenant));
      await waitForDeliveries(tenant, 1, (d) => d.channel === 'webhook' && d.status === 'failed', 'channel=webhook');
      expect((await channels(tenant)).webhooks[0].enabled).toBe(true);
      await new Promise((r) => setTimeout(r, 4_200)); // NOTIFIER_ENDPOINT_DISABLE_AFTER=4s
      await publish(opened(tenant));
      await waitFor(() => smtp.to(address).some((m) => m.subject.includes('Webhook endpoint disabled')), { timeoutMs: 20_000, what: 'the disabled-endpoint email' });
      const mail = smtp.to(address).find((m) => m.subject.includes('Webhook endpoint disabled'))!;
      expect(mail.text).toContain(receiver.url('/broken'));
      expect(mail.text).toContain('failed without a success since');
      expect((await channels(tenant)).webhooks.find((w) => w.id === broken.id)).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('failing since') });
    });

    it('should sign with both the new and the previous secret when a rotation is in its grace period', async () => {
      const tenant = await system.createTenant();
      const [hook] = await configure(tenant, [], [{ url: receiver.url(`/rotate-${suffix}`) }]);
      const rotated = await system.api<WebhookView>('POST', `/v1/channels/webhooks/${hook.id}/rotate-secret`, tenant.apiKeys.admin, { graceSeconds: 3_600 });
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({ id: hook.id, secretVersion: 2, secret: expect.stringMatching(/^whsec_/) });
      expect(rotated.body.secret).not.toBe(hook.secret);
      const event = opened(tenant);
      await publish(event);
      const call = await waitFor(() => receiver.at(`/rotate-${suffix}`).find((c) => c.headers['webhook-id'] === event.eventId), { timeoutMs: 20_000, what: 'the webhook' });
      expect(String(call.headers['webhook-signature']).split(' ')).toHaveLength(2);
      for (const secret of [hook.secret!, rotated.body.secret!]) {
        expect(new Webhook(secret).verify(call.body, call.headers as Record<string, string>)).toMatchObject({ type: 'escalation.opened' });
        expect(independentSignatureValid(secret, call)).toBe(true);
      }
      const notFound = await system.api('POST', `/v1/channels/webhooks/${randomUUID()}/rotate-secret`, tenant.apiKeys.admin, {});
      expect(notFound).toMatchObject({ status: 404, body: { error: { code: 'webhook_not_found' } } });
    });

    it('should list deliveries by filter and replay a failed one with the same webhook-id when asked through the API', async () => {
      const tenant = await system.createTenant();
      let healthy = false;
      // The replayed request is answered after 2 s (the timeout is 3 s): the second retry below must find it in progress, however fast the notifier is.
      receiver.on('/replay', () => (healthy ? { status: 200, delayMs: 2_000 } : { status: 500 }));
      await configure(tenant, [`replay-${suffix}@acme.test`], [{ url: receiver.url('/replay') }]);
      const event = opened(tenant);
      await publish(event);
      const [failed] = await waitForDeliveries(tenant, 1, (d) => d.status === 'failed', 'channel=webhook');
      expect(failed.attemptCount).toBe(5);
      expect(await deliveries(tenant, 'channel=email&status=delivered')).toHaveLength(1);
      expect(await deliveries(tenant, `status=failed&from=${new Date(Date.now() + 60_000).toISOString()}`)).toHaveLength(0);
      const bad = await system.api('GET', '/v1/deliveries?status=lost&limit=0', tenant.apiKeys.read);
      expect(bad.status).toBe(400);
      expect((bad.body as { error: { errors: { field: string }[] } }).error.errors.map((e) => e.field).sort()).toEqual(['limit', 'status']);

      healthy = true;
      expect((await system.api('POST', `/v1/deliveries/${failed.id}/retry`, tenant.apiKeys.read)).status).toBe(403);
      const replay = await system.api<DeliveryView>('POST', `/v1/deliveries/${failed.id}/retry`, tenant.apiKeys.admin);
      expect(replay).toMatchObject({ status: 202, body: { id: failed.id, status: 'pending' } });
      const busy = await system.api('POST', `/v1/deliveries/${failed.id}/retry`, tenant.apiKeys.admin);
      expect(busy).toMatchObject({ status: 409, body: { error: { code: 'delivery_in_progress' } } });
      const [replayed] = await waitForDeliveries(tenant, 1, (d) => d.id === failed.id && d.status === 'delivered', 'channel=webhook');
      expect(replayed.attemptCount).toBe(6);
      expect(replayed.attempts[5]).toMatchObject({ attempt: 6, statusCode: 200, outcome: 'delivered' });
      const calls = receiver.at('/replay');
      expect(calls).toHaveLength(6);
      expect(new Set(calls.map((c) => c.headers['webhook-id']))).toEqual(new Set([event.eventId]));
      expect((await system.api('POST', `/v1/deliveries/${randomUUID()}/retry`, tenant.apiKeys.admin)).status).toBe(404);
    });
  });

  describe('resilience', () => {
    it('should let the request in flight finish when the notifier is stopped with SIGTERM', async () => {
      const tenant = await system.createTenant();
      receiver.on('/slow', () => ({ status: 200, delayMs: 1_500 }));
      await configure(tenant, [], [{ url: receiver.url('/slow') }]);
      await publish(opened(tenant));
      await waitFor(() => receiver.at('/slow').length === 1, { timeoutMs: 20_000, what: 'the slow request' });
      const notifier = system.service('notifier');
      notifier.kill('SIGTERM');
      expect(await notifier.waitExit(20_000)).toEqual({ code: 0, signal: null });
      const [call] = receiver.at('/slow');
      expect(call).toMatchObject({ answered: true, aborted: false, status: 200 });
      const { rows } = await system.db.query(`SELECT status, attempts FROM deliveries WHERE tenant_id = $1`, [tenant.tenantId]);
      expect(rows).toEqual([{ status: 'delivered', attempts: 1 }]);
      await system.restart('notifier');
      expect(receiver.at('/slow')).toHaveLength(1);
    });

    it('should deliver every notification exactly once when the notifier is SIGKILLed mid-request and Redis restarts twice', async () => {
      const tenant = await system.createTenant();
      const recipients = [`kill-a-${suffix}@acme.test`, `kill-b-${suffix}@acme.test`];
      let holdNext = true;
      receiver.on('/kill', () => {
        if (!holdNext) return { status: 200 };
        holdNext = false;
        return { hold: true };
      });
      await configure(tenant, recipients, [{ url: receiver.url('/kill') }]);
      const published: EscalationOpenedEvent[] = [];
      const publishBatch = async () => {
        const batch = Array.from({ length: 4 }, (_, i) => opened(tenant, { sessionId: `kill-${published.length + i}` }));
        published.push(...batch);
        for (const e of batch) await publish(e);
      };

      // A: one webhook request is held open while the notifier is killed.
      await publishBatch();
      await waitFor(() => receiver.at('/kill').some((c) => !c.answered && !c.aborted) && recipients.every((r) => smtp.to(r).length === 4), { timeoutMs: 30_000, what: 'a held request and the first emails' });
      const notifier = system.service('notifier');
      notifier.kill('SIGKILL');
      await notifier.waitExit();
      await waitFor(() => receiver.at('/kill').some((c) => c.aborted), { timeoutMs: 5_000, what: 'the held request to be cut' });

      // Redis restarts while the notifier is down; B is published meanwhile.
      await redis.stop();
      await redis.start();
      await publishBatch();
      await system.restart('notifier');

      // Redis goes away again under the running notifier; C is published during the outage.
      await redis.stop();
      await publishBatch();
      await new Promise((r) => setTimeout(r, 1_500));
      await redis.start();

      const ids = published.map((e) => e.eventId);
      const answered = () => receiver.at('/kill').filter((c) => c.answered);
      await waitFor(() => new Set(answered().map((c) => String(c.headers['webhook-id']))).size === ids.length && recipients.every((r) => smtp.to(r).length >= ids.length), {
        timeoutMs: 90_000,
        what: `${ids.length} webhooks and ${ids.length * 2} emails`,
      }).catch(async (err) => {
        const rows = await system.db.query(`SELECT channel, status, attempts, last_error FROM deliveries WHERE tenant_id = $1`, [tenant.tenantId]).catch((e) => ({ rows: [String(e)] }));
        process.stdout.write(`DEBUG webhooks=${new Set(answered().map((c) => String(c.headers['webhook-id']))).size} emails=${recipients.map((r) => smtp.to(r).length)} deliveries=${JSON.stringify(rows.rows)}\nNOTIFIER\n${system.service('notifier').logs().slice(-4000)}\n`);
        throw err;
      });
      await waitFor(async () => (await system.db.query(`SELECT 1 FROM deliveries WHERE tenant_id = $1 AND status <> 'delivered'`, [tenant.tenantId])).rowCount === 0, {
        timeoutMs: 20_000,
        what: 'every delivery recorded as delivered',
      });
      await new Promise((r) => setTimeout(r, 1_000)); // room for a late duplicate to show

      const calls = receiver.at('/kill');
      const perId = countBy(answered().map((c) => String(c.headers['webhook-id'])));
      expect(Object.keys(perId).sort()).toEqual([...ids].sort());
      expect(Object.values(perId).every((n) => n === 1)).toBe(true);
      // The only call not answered is the one cut by the kill (its sender died before any answer).
      expect(calls.filter((c) => !c.answered)).toHaveLength(1);
      expect(calls).toHaveLength(ids.length + 1);
      for (const r of recipients) {
        const escalations = smtp.to(r).map((m) => String(m.headers.get('x-agent-ledger-escalation')));
        expect(escalations.sort()).toEqual(published.map((e) => e.escalationId).sort());
      }
    });

    it('should refuse to start when Redis may evict queued jobs', async () => {
      const { Redis } = await import('ioredis');
      const client = new Redis(redis.url);
      try {
        await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
        const run = await runToExit('notifier', { ...system.envOf('notifier'), NOTIFIER_PORT: String(await freePort()), NOTIFIER_GROUP_ID: `${groupId}-policy` });
        expect(run.code).toBe(1);
        expect(run.output).toContain('maxmemory-policy is allkeys-lru, not noeviction');
      } finally {
        await client.config('SET', 'maxmemory-policy', 'noeviction');
        client.disconnect();
      }
    });
  });

  // ---- helpers ---------------------------------------------------------------------------------

  function opened(tenant: TestTenant, over: Partial<EscalationOpenedEvent> = {}): EscalationOpenedEvent {
    const event: EscalationOpenedEvent = {
      type: 'escalation.opened',
      eventId: randomUUID(),
      escalationId: randomUUID(),
      tenantId: tenant.tenantId,
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
    const valid = validateEscalationEvent(event);
    if (!valid.ok) throw new Error(`test event is invalid: ${JSON.stringify(valid.errors)}`);
    return event;
  }

  async function publish(event: EscalationEvent): Promise<void> {
    await producer.send(ESCALATIONS_TOPIC, [{ key: escalationEventKey(event.tenantId, event.sessionId), value: JSON.stringify(event), headers: { [SCHEMA_VERSION_HEADER]: ESCALATION_EVENT_SCHEMA_VERSION } }]);
  }

  function putChannels(tenant: TestTenant, body: unknown): Promise<HttpAnswer> {
    return system.api('PUT', '/v1/channels', tenant.apiKeys.admin, body);
  }

  async function configure(tenant: TestTenant, recipients: string[], webhooks: Record<string, unknown>[]): Promise<WebhookView[]> {
    const answer = await putChannels(tenant, { email: { recipients }, webhooks });
    if (answer.status !== 200) throw new Error(`PUT /v1/channels answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.webhooks as WebhookView[];
  }

  async function channels(tenant: TestTenant): Promise<{ webhooks: WebhookView[] }> {
    return (await system.api<{ webhooks: WebhookView[] }>('GET', '/v1/channels', tenant.apiKeys.admin)).body;
  }

  async function deliveries(tenant: TestTenant, query = ''): Promise<DeliveryView[]> {
    const answer = await system.api<{ deliveries: DeliveryView[] }>('GET', `/v1/deliveries?${query}`, tenant.apiKeys.read);
    if (answer.status !== 200) throw new Error(`GET /v1/deliveries answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.deliveries;
  }

  function waitForDeliveries(tenant: TestTenant, n: number, done: (d: DeliveryView) => boolean, query = ''): Promise<DeliveryView[]> {
    return waitFor(
      async () => {
        const list = (await deliveries(tenant, query)).filter(done);
        return list.length >= n ? list : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `${n} deliveries of ${tenant.tenantId} done` },
    );
  }

  async function startGroupAtTopicEnd(group: string): Promise<void> {
    await commitGroupAtTopicEnd(kafka(), group, ESCALATIONS_TOPIC);
  }
});

/** Standard Webhooks signature check written from the spec, without the library. */
function independentSignatureValid(secret: string, call: ReceivedCall): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${call.headers['webhook-id']}.${call.headers['webhook-timestamp']}.${call.body}`).digest('base64');
  return String(call.headers['webhook-signature'])
    .split(' ')
    .some((s) => s === `v1,${expected}`);
}

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}
