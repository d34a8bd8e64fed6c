import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ActionEventInput } from '@agent-ledger/contracts';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { TestHttpReceiver } from '../notifications/receivers';

const MIN = 60_000;
/** Test-sized cooldown of the tenant alerts: long enough for a second crossing to land inside it. */
const COOLDOWN_MS = 6_000;
/** A quiet period after the expected notifications, to see that no more arrive. */
const QUIET_MS = 1_500;

interface Hook {
  type: string;
  data: { escalationId: string; sessionId: string; reason: string; triggeringEventIds?: string[] };
}
interface Listed {
  escalationId: string;
  sessionId: string;
  status: string;
  count: number;
}

/**
 * The conversation triggers and the tenant-wide alerts end to end: events through ingest, the
 * escalation worker's windows in the real Redis, the escalations topic, the projector (listed by the
 * API) and the notifier's webhooks, counted at a receiver on loopback. Each case sends one event
 * short of its threshold and sees nothing, then one more and sees one notification; a second
 * crossing within the cooldown is folded (no notification), one after it notifies again.
 */
describe('escalation triggers and tenant-wide alerts', () => {
  const receiver = new TestHttpReceiver();
  const system = new LedgerSystem({
    services: ['ingest-api', 'audit-api', 'audit-projector', 'escalation-worker', 'notifier'],
    env: { 'audit-api': { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.0/8' }, notifier: { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32' } },
  });
  const redis = new Redis(system.stack.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  /** A time well before now, so the alerts' windows (by occurredAt) hold only this suite's events. */
  const t0 = Date.now() - 30 * MIN;
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const tenants: Record<string, TestTenant> = {};

  async function tenantWith(name: string, rules: Record<string, unknown>): Promise<TestTenant> {
    const tenant = await system.createTenant(`trig-${name}-${system.suffix}`);
    // Rules this suite does not look at stay quiet: safe tools, and the per-session failure count off.
    const put = await system.api('PUT', '/v1/escalation-rules', tenant.apiKeys.admin, { rules: { error_threshold: { enabled: false }, ...rules } });
    if (put.status !== 200) throw new Error(`PUT /v1/escalation-rules answered ${put.status}: ${JSON.stringify(put.body)}`);
    const hooks = await system.api('PUT', '/v1/channels', tenant.apiKeys.admin, { webhooks: [{ url: receiver.url(`/${name}`) }] });
    if (hooks.status !== 200) throw new Error(`PUT /v1/channels answered ${hooks.status}: ${JSON.stringify(hooks.body)}`);
    return tenant;
  }

  beforeAll(async () => {
    await Promise.all([receiver.start(), redis.connect()]);
    await system.start();
    const alert = { enabled: true, cooldownMs: COOLDOWN_MS, windowMs: MIN };
    const configured: [string, Promise<TestTenant>][] = [
      ['sessions', tenantWith('sessions', { session_too_long: { enabled: true, maxDurationMs: MIN }, session_too_complex: { enabled: true, maxEvents: 5 } })],
      ['error-rate', tenantWith('error-rate', { tenant_error_rate: { ...alert, maxErrorRatePercent: 50, minActions: 4 } })],
      ['failure-burst', tenantWith('failure-burst', { tenant_failure_burst: { ...alert, maxFailures: 3 } })],
      ['latency', tenantWith('latency', { tenant_tool_latency: { ...alert, maxP95Ms: 1_000, minSamples: 5, maxSamples: 50 } })],
      ['change-burst', tenantWith('change-burst', { tenant_change_burst: { ...alert, maxChanges: 3 } })],
      ['resolved-burst', tenantWith('resolved-burst', { tenant_failure_burst: { ...alert, cooldownMs: 10 * MIN, maxFailures: 3 } })],
    ];
    for (const [name, t] of configured) tenants[name] = await t;
  });

  afterAll(async () => {
    await system.stop();
    await Promise.all([receiver.stop(), redis.quit()]);
  });

  /** Posts the events and waits until the worker has handled every one of them (its `seen` marks). */
  async function phase(tenant: TestTenant, events: ActionEventInput[]): Promise<void> {
    const answer = await system.postEvents(tenant.apiKeys.ingest, { events });
    expect(answer.status).toBe(202);
    const keys = [...new Set(events.map((e) => `test:${system.suffix}:seen:${tenant.tenantId}:${e.eventId}`))];
    await waitFor(async () => (await redis.exists(...keys)) === keys.length, { timeoutMs: 20_000, what: `${events.length} events handled by the escalation worker` });
  }

  /** The `escalation.opened` webhooks received for a tenant's reason, after a quiet period. */
  async function openedHooks(path: string, reason: string, expected: number): Promise<Hook[]> {
    const of = () => receiver.at(`/${path}`).map((c) => JSON.parse(c.body) as Hook).filter((h) => h.type === 'escalation.opened' && h.data.reason === reason);
    if (expected > 0) await waitFor(() => of().length >= expected, { timeoutMs: 20_000, what: `${expected} ${reason} webhooks` });
    await new Promise((r) => setTimeout(r, QUIET_MS));
    return of();
  }

  async function listed(tenant: TestTenant, reason: string, until: (items: Listed[]) => boolean): Promise<Listed[]> {
    return waitFor(
      async () => {
        const r = await system.api<{ items: Listed[] }>('GET', `/v1/escalations?reason=${reason}`, tenant.apiKeys.read);
        return r.status === 200 && until(r.body.items) ? r.body.items : undefined;
      },
      { timeoutMs: 20_000, what: `${reason} escalations listed` },
    );
  }

  const safe = { name: 'lookup_order', riskLevel: 'safe' as const };
  const failed = (ms: number, extra: Partial<ActionEventInput> = {}) => anActionEventInput({ type: 'action.failed', sessionId: `s-${randomUUID()}`, tool: safe, occurredAt: at(ms), ...extra });
  const executed = (ms: number, extra: Partial<ActionEventInput> = {}) => anActionEventInput({ type: 'action.executed', sessionId: `s-${randomUUID()}`, tool: safe, occurredAt: at(ms), ...extra });
  const times = <T>(n: number, make: () => T) => Array.from({ length: n }, make);

  it('should refuse invalid settings of the new rules with 400 naming each field, and show the effective alert settings', async () => {
    const t = tenants.sessions;
    const bad = await system.api<{ error: { code: string; errors: { field: string; code: string }[] } }>('PUT', '/v1/escalation-rules', t.apiKeys.admin, {
      rules: {
        session_too_complex: { maxEvents: 0 },
        tenant_error_rate: { maxErrorRatePercent: 100, minActions: 'many' },
        tenant_failure_burst: { cooldownMs: 5 },
        tenant_tool_latency: { minSamples: 60, maxSamples: 50 },
        tenant_change_burst: { scope: 'session' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.errors.map((e) => e.field).sort()).toEqual([
      '/rules/session_too_complex/maxEvents',
      '/rules/tenant_change_burst/scope',
      '/rules/tenant_error_rate/maxErrorRatePercent',
      '/rules/tenant_error_rate/minActions',
      '/rules/tenant_failure_burst/cooldownMs',
    ]);
    // The cross-field check runs once every field is valid on its own.
    const samples = await system.api<{ error: { field: string } }>('PUT', '/v1/escalation-rules', t.apiKeys.admin, { rules: { tenant_tool_latency: { minSamples: 60, maxSamples: 50 } } });
    expect(samples).toMatchObject({ status: 400, body: { error: { field: '/rules/tenant_tool_latency/minSamples' } } });
    const scope = await system.api<{ error: { field: string } }>('GET', '/v1/escalations?scope=tenants', t.apiKeys.read);
    expect({ status: scope.status, field: scope.body.error.field }).toEqual({ status: 400, field: 'scope' });
    const current = await system.api<{ settings: { rules: Record<string, Record<string, unknown>> } }>('GET', '/v1/escalation-rules', t.apiKeys.admin);
    expect(current.body.settings.rules.session_too_complex).toMatchObject({ enabled: true, maxEvents: 5 });
    expect(current.body.settings.rules.tenant_error_rate).toMatchObject({ enabled: false, scope: 'tenant', maxErrorRatePercent: 20, minActions: 20, cooldownMs: 30 * MIN });
  });

  describe('conversation triggers', () => {
    it('should open session_too_long once on the first event more than maxDurationMs after the session began, also when that event is a late one', async () => {
      const t = tenants.sessions;
      const [s, late] = [`long-${randomUUID()}`, `late-${randomUUID()}`];
      const ev = (sessionId: string, ms: number) => anActionEventInput({ type: 'action.attempted', sessionId, tool: safe, occurredAt: at(ms) });
      // Exactly maxDurationMs apart is not more than it.
      await phase(t, [ev(s, 0), ev(s, 30_000), ev(s, MIN), ev(late, MIN + 1)]);
      expect(await openedHooks('sessions', 'session_too_long', 0)).toEqual([]);
      const past = ev(s, MIN + 1);
      const early = ev(late, 0);
      await phase(t, [past, early]);
      await phase(t, [ev(s, 5 * MIN), ev(late, 5 * MIN)]);
      const hooks = await openedHooks('sessions', 'session_too_long', 2);
      expect(hooks.map((h) => [h.data.sessionId, h.data.triggeringEventIds]).sort()).toEqual(
        [
          [s, [past.eventId]],
          [late, [early.eventId]],
        ].sort(),
      );
    });

    it('should open session_too_complex once on the event past maxEvents, an event delivered twice counted once', async () => {
      const t = tenants.sessions;
      const s = `complex-${randomUUID()}`;
      const ev = () => anActionEventInput({ type: 'action.attempted', sessionId: s, tool: safe, occurredAt: at(0) });
      const five = times(5, ev);
      await phase(t, five);
      await phase(t, [five[0]]);
      expect(await openedHooks('sessions', 'session_too_complex', 0)).toEqual([]);
      const sixth = ev();
      await phase(t, [sixth]);
      await phase(t, times(3, ev));
      const hooks = await openedHooks('sessions', 'session_too_complex', 1);
      expect(hooks.map((h) => [h.data.sessionId, h.data.triggeringEventIds])).toEqual([[s, [sixth.eventId]]]);
      const items = await listed(t, 'session_too_complex', (i) => i.length === 1);
      expect(items).toEqual([expect.objectContaining({ sessionId: s, status: 'open', count: 1 })]);
    });
  });

  /**
   * Each alert in five steps: `below` (one short: nothing), `cross` (one more: one alert), `drop`
   * then `again` (the condition stops and starts to hold again within the cooldown: folded), and
   * after the cooldown `dropLater` then `againLater` (a new alert, notified).
   */
  interface AlertCase {
    path: string;
    reason: string;
    sessionId: string;
    below: ActionEventInput[];
    cross: ActionEventInput[];
    drop: ActionEventInput[];
    again: ActionEventInput[];
    dropLater: ActionEventInput[];
    againLater: ActionEventInput[];
  }
  const W2 = 2 * MIN + 1_000;
  const W4 = 4 * MIN + 2_000;
  const fast = (ms: number, n: number) => times(n, () => executed(ms, { tool: { name: 'crm_search', riskLevel: 'safe' }, durationMs: 100 }));
  const slow = (ms: number, n: number, durationMs = 3_000) => times(n, () => executed(ms, { tool: { name: 'crm_search', riskLevel: 'safe' }, durationMs }));
  const change = (ms: number, n: number) => times(n, () => anActionEventInput({ type: 'change.recorded', sessionId: undefined, occurredAt: at(ms), resource: { type: 'refund_policy', id: `p-${randomUUID()}` } }));
  const cases: AlertCase[] = [
    {
      path: 'error-rate',
      reason: 'tenant_error_rate',
      sessionId: 'tenant:tenant_error_rate',
      // 2 of 4 is 50 %, not above it; fewer than 4 finished never count (1 of 1 is not 100 % of enough).
      below: [failed(0), failed(0), executed(0), executed(0)],
      cross: [failed(1)],
      // 3 of 8 (37.5 %) then 6 of 11 (54.5 %).
      drop: [executed(2), executed(2), executed(2)],
      again: [failed(3), failed(3), failed(3)],
      dropLater: [executed(4), executed(4), executed(4)],
      againLater: [failed(5), failed(5), failed(5)],
    },
    {
      path: 'failure-burst',
      reason: 'tenant_failure_burst',
      sessionId: 'tenant:tenant_failure_burst',
      below: times(3, () => failed(0)),
      cross: [failed(1)],
      drop: [failed(W2)],
      again: times(3, () => failed(W2 + 1)),
      dropLater: [failed(W4)],
      againLater: times(3, () => failed(W4 + 1)),
    },
    {
      path: 'latency',
      reason: 'tenant_tool_latency',
      sessionId: 'tenant:tenant_tool_latency:crm_search',
      // Four slow runs are under minSamples; another tool's five runs at exactly the bound are not above it.
      below: [...slow(0, 4), ...times(5, () => executed(0, { tool: { name: 'ticket_lookup', riskLevel: 'safe' }, durationMs: 1_000 }))],
      cross: slow(1, 1),
      drop: fast(W2, 5),
      again: slow(W2 + 1, 1),
      dropLater: fast(W4, 5),
      againLater: slow(W4 + 1, 1),
    },
    {
      path: 'change-burst',
      reason: 'tenant_change_burst',
      sessionId: 'tenant:tenant_change_burst',
      below: change(0, 3),
      cross: change(1, 1),
      drop: change(W2, 1),
      again: change(W2 + 1, 3),
      dropLater: change(W4, 1),
      againLater: change(W4 + 1, 3),
    },
  ];

  /** One alert's five steps; the four alerts run side by side (own tenants, receiver paths and windows). */
  async function runCase(c: AlertCase): Promise<void> {
    const t = tenants[c.path];
    await phase(t, c.below);
    expect(await openedHooks(c.path, c.reason, 0)).toEqual([]);

    await phase(t, c.cross);
    const [first] = await openedHooks(c.path, c.reason, 1);
    const openedAt = Date.now();
    expect(first.data).toMatchObject({ sessionId: c.sessionId, triggeringEventIds: [c.cross[c.cross.length - 1].eventId] });

    // Stops holding, then holds again: a second crossing within the cooldown is folded, not notified.
    await phase(t, c.drop);
    await phase(t, c.again);
    const folded = await listed(t, c.reason, (items) => items[0]?.count === 2);
    expect(folded).toEqual([expect.objectContaining({ escalationId: first.data.escalationId, sessionId: c.sessionId, status: 'open', count: 2 })]);
    expect(await openedHooks(c.path, c.reason, 1)).toHaveLength(1);

    // After the cooldown the next crossing is a new alert, notified; the previous one is closed.
    await new Promise((r) => setTimeout(r, Math.max(0, openedAt + COOLDOWN_MS + 500 - Date.now())));
    await phase(t, c.dropLater);
    await phase(t, c.againLater);
    const hooks = await openedHooks(c.path, c.reason, 2);
    expect(hooks).toHaveLength(2);
    expect(hooks[1].data.escalationId).not.toBe(first.data.escalationId);
    const items = await listed(t, c.reason, (i) => i.length === 2 && i.some((x) => x.status === 'resolved'));
    expect(items.map((i) => [i.escalationId, i.status, i.count])).toEqual([
      [hooks[1].data.escalationId, 'open', 1],
      [first.data.escalationId, 'resolved', 2],
    ]);
    const detail = await system.api<{ scope: string; history: { event: { scope?: string } }[] }>('GET', `/v1/escalations/${first.data.escalationId}`, t.apiKeys.read);
    expect(detail.body.history.map((h) => h.event.scope)).toEqual(['tenant', 'tenant', 'tenant']);
    expect(detail.body.scope).toBe('tenant');
    // The list answers the scope and filters on it.
    type Scoped = { items: { escalationId: string; scope: string }[] };
    const tenantWide = await system.api<Scoped>('GET', '/v1/escalations?scope=tenant&limit=1000', t.apiKeys.read);
    expect(tenantWide.body.items.filter((i) => i.escalationId === first.data.escalationId || i.escalationId === hooks[1].data.escalationId).map((i) => i.scope)).toEqual(['tenant', 'tenant']);
    expect(tenantWide.body.items.every((i) => i.scope === 'tenant')).toBe(true);
    const sessionOnes = await system.api<Scoped>('GET', '/v1/escalations?scope=session&limit=1000', t.apiKeys.read);
    expect(sessionOnes.body.items.some((i) => i.escalationId === first.data.escalationId)).toBe(false);
    expect(sessionOnes.body.items.every((i) => i.scope === 'session')).toBe(true);
  }

  it(`should fire each tenant-wide alert (${cases.map((c) => c.reason).join(', ')}) once at its threshold, fold a repeat within the cooldown and notify again after it`, async () => {
    const outcomes = await Promise.allSettled(cases.map((c) => runCase(c)));
    const failures = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${cases[i].reason}: ${o.reason instanceof Error ? o.reason.message : String(o.reason)}`] : []));
    expect(failures).toEqual([]);
  });

  it('should suppress a crossing within the cooldown of an alert someone already resolved: no webhook, no new alert', async () => {
    const t = tenants['resolved-burst'];
    const crossing = times(4, () => failed(0));
    await phase(t, crossing);
    const [first] = await openedHooks('resolved-burst', 'tenant_failure_burst', 1);
    await waitFor(async () => (await system.api('GET', `/v1/escalations/${first.data.escalationId}`, t.apiKeys.read)).status === 200, { timeoutMs: 20_000, what: 'the alert projected' });
    expect((await system.api('POST', `/v1/escalations/${first.data.escalationId}/resolve`, t.apiKeys.admin, { notes: 'provider outage over' })).status).toBe(202);
    // The worker follows the resolve (its open state of the alert goes away) before the next crossing.
    const openKey = `test:${system.suffix}:open:${t.tenantId}:tenant:tenant_failure_burst:tenant_failure_burst`;
    await waitFor(async () => (await redis.exists(openKey)) === 0, { timeoutMs: 20_000, what: 'the worker saw the resolve' });
    await phase(t, [failed(W2)]);
    await phase(t, times(3, () => failed(W2 + 1)));
    expect(await openedHooks('resolved-burst', 'tenant_failure_burst', 1)).toHaveLength(1);
    const items = await listed(t, 'tenant_failure_burst', (i) => i[0]?.status === 'resolved');
    expect(items.map((i) => [i.escalationId, i.status, i.count])).toEqual([[first.data.escalationId, 'resolved', 1]]);
  });
});
