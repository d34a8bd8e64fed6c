import { randomUUID } from 'node:crypto';
import type { ActionEventInput, EscalationEvent } from '@agent-ledger/contracts';
import { anActionEventInput, EscalationTap, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';

const TIMEOUT_MS = 2_000;
const WINDOW_MS = 60_000;

/**
 * The escalation worker over the real Kafka, Redis and PostgreSQL: each default rule, folding,
 * resolve, ordering for a downstream consumer, a SIGKILL before a confirmation timeout, and the
 * escalation endpoints of audit-api.
 */
describe('escalation worker', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector', 'escalation-worker'] });
  const tap = new EscalationTap(system, () => tenant.tenantId);
  let tenant: TestTenant;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`esc-${system.suffix}`);
    const rules = await system.api('PUT', '/v1/escalation-rules', tenant.apiKeys.admin, {
      cooldownMs: 600_000,
      rules: { confirmation_timeout: { timeoutMs: TIMEOUT_MS }, error_threshold: { windowMs: WINDOW_MS } },
    });
    expect(rules.status).toBe(200);
    // A downstream subscriber in its own group, from the current end of the topic.
    await tap.start();
  });

  afterAll(async () => {
    await tap.stop();
    await system.stop();
  });

  const session = () => `s-${randomUUID().slice(0, 8)}`;
  const post = async (events: ActionEventInput[]) => expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
  const of = (sessionId: string) => tap.of(sessionId);
  const opened = (sessionId: string) => of(sessionId).filter((e): e is Extract<EscalationEvent, { type: 'escalation.opened' }> => e.type === 'escalation.opened');
  /** Waits for `n` events of a session, then a little longer to see that no more arrive. */
  async function settle(sessionId: string, n: number, quietMs = 1_500): Promise<EscalationEvent[]> {
    if (n > 0) await waitFor(() => of(sessionId).length >= n, { timeoutMs: 20_000, what: `${n} escalation events of ${sessionId}` });
    await new Promise((r) => setTimeout(r, quietMs));
    return of(sessionId);
  }
  /** A marker event processed after the others of the session: once it fired, the others were seen. */
  async function barrier(): Promise<void> {
    const marker = session();
    await post([anActionEventInput({ type: 'signal.handoff_requested', sessionId: marker })]);
    await waitFor(() => opened(marker).length === 1, { timeoutMs: 20_000, what: 'the barrier escalation' });
  }

  it.each([
    ['customer_request', 'signal.handoff_requested', {}],
    ['permission_denied', 'signal.permission_denied', {}],
    ['budget_exceeded', 'signal.budget_exceeded', {}],
    ['rate_limited', 'signal.rate_limited', {}],
    ['action_failed', 'action.failed', { tool: { name: 'delete_account', riskLevel: 'destructive' } }],
    ['high_risk_unapproved', 'action.executed', { tool: { name: 'wire_money', riskLevel: 'critical' }, approval: { required: true, decision: 'auto' } }],
  ] as const)('should open exactly one %s escalation for its trigger', async (reason, type, extra) => {
    const s = session();
    await post([anActionEventInput({ type, sessionId: s, ...(extra as Partial<ActionEventInput>) })]);
    const events = await settle(s, 1);
    expect(events.map((e) => e.type)).toEqual(['escalation.opened']);
    expect(opened(s)[0]).toMatchObject({ reason, tenantId: tenant.tenantId, count: 1, customerMessage: expect.any(String), summary: expect.any(String) });
  });

  it('should not escalate near misses: a failed safe tool, two failures, failures spread wider than the window, an approved critical execution', async () => {
    const safe = session();
    const two = session();
    const spread = session();
    const approved = session();
    const t0 = Date.now() - 10 * WINDOW_MS;
    await post([
      anActionEventInput({ type: 'action.failed', sessionId: safe, tool: { name: 'lookup', riskLevel: 'safe' } }),
      ...[0, 1].map(() => anActionEventInput({ type: 'action.failed', sessionId: two, tool: { name: 'lookup', riskLevel: 'safe' } })),
      ...[0, 1, 2].map((i) => anActionEventInput({ type: 'action.failed', sessionId: spread, occurredAt: new Date(t0 + i * 2 * WINDOW_MS).toISOString(), tool: { name: 'lookup', riskLevel: 'moderate' } })),
      anActionEventInput({ type: 'action.executed', sessionId: approved, tool: { name: 'wire_money', riskLevel: 'critical' }, approval: { required: true, decision: 'approved' } }),
    ]);
    await barrier();
    for (const s of [safe, two, spread, approved]) expect({ s, events: of(s) }).toEqual({ s, events: [] });
  });

  it('should open one error_threshold escalation on the third failure within the window', async () => {
    const s = session();
    await post([0, 1, 2].map(() => anActionEventInput({ type: 'action.failed', sessionId: s, tool: { name: 'lookup', riskLevel: 'safe' } })));
    const events = await settle(s, 1);
    expect(events.map((e) => (e.type === 'escalation.opened' ? e.reason : e.type))).toEqual(['error_threshold']);
  });

  it('should fire a confirmation timeout once, and not when the action is confirmed in time', async () => {
    const late = session();
    const confirmed = session();
    const lateAction = `a-${randomUUID()}`;
    const okAction = `a-${randomUUID()}`;
    await post([
      anActionEventInput({ type: 'action.attempted', sessionId: late, actionId: lateAction, approval: { required: true } }),
      anActionEventInput({ type: 'action.attempted', sessionId: confirmed, actionId: okAction, approval: { required: true } }),
      anActionEventInput({ type: 'action.confirmed', sessionId: confirmed, actionId: okAction, approval: { required: true, decision: 'approved', approvedBy: 'lead' } }),
    ]);
    const events = await settle(late, 1, TIMEOUT_MS + 1_000);
    expect(opened(late)).toEqual([expect.objectContaining({ reason: 'confirmation_timeout', actionId: lateAction })]);
    expect(events).toHaveLength(1);
    expect(of(confirmed)).toEqual([]);
  });

  it('should fire the timeout exactly once after the worker is SIGKILLed between the attempt and its timeout', async () => {
    const s = session();
    const actionId = `a-${randomUUID()}`;
    await post([anActionEventInput({ type: 'action.attempted', sessionId: s, actionId, approval: { required: true } })]);
    // Once the worker has seen the attempt (its barrier fired), kill it before the timer is due.
    await barrier();
    await system.restart('escalation-worker', 'SIGKILL');
    const events = await settle(s, 1, TIMEOUT_MS + 1_500);
    expect(events.map((e) => e.type)).toEqual(['escalation.opened']);
    expect(opened(s)[0]).toMatchObject({ reason: 'confirmation_timeout', actionId });
  });

  it('should fold repeats into one open escalation whose count rises, and open a new one after resolve', async () => {
    const s = session();
    const first = anActionEventInput({ type: 'signal.handoff_requested', sessionId: s });
    await post([first]);
    await settle(s, 1, 0);
    await post([anActionEventInput({ type: 'signal.handoff_requested', sessionId: s }), anActionEventInput({ type: 'signal.handoff_requested', sessionId: s })]);
    // A redelivered trigger (same eventId) counts nothing.
    await post([first]);
    const folded = await settle(s, 3);
    expect(folded.map((e) => e.type)).toEqual(['escalation.opened', 'escalation.updated', 'escalation.updated']);
    expect(folded.map((e) => ('count' in e ? e.count : undefined))).toEqual([1, 2, 3]);
    const escalationId = folded[0].escalationId;
    expect(new Set(folded.map((e) => e.escalationId))).toEqual(new Set([escalationId]));

    const listed = await waitFor(
      async () => {
        const r = await system.api<{ items: { escalationId: string; count: number; status: string }[] }>('GET', `/v1/escalations?sessionId=${s}`, tenant.apiKeys.read);
        return r.body.items[0]?.count === 3 ? r.body.items : undefined;
      },
      { timeoutMs: 20_000, what: 'the folded escalation in the API' },
    );
    expect(listed).toEqual([expect.objectContaining({ escalationId, status: 'open', count: 3 })]);

    const resolved = await system.api('POST', `/v1/escalations/${escalationId}/resolve`, tenant.apiKeys.admin, { resolvedBy: 'ops@example.com', notes: 'called the customer back' });
    expect(resolved).toMatchObject({ status: 202, body: { status: 'resolved' } });
    await settle(s, 4, 500);
    await post([anActionEventInput({ type: 'signal.handoff_requested', sessionId: s })]);
    const after = await settle(s, 5);
    expect(after.map((e) => e.type)).toEqual(['escalation.opened', 'escalation.updated', 'escalation.updated', 'escalation.resolved', 'escalation.opened']);
    expect(after[4].escalationId).not.toBe(escalationId);
    // The downstream consumer saw the session's events in order.
    expect(after.map((e) => e.occurredAt)).toEqual([...after.map((e) => e.occurredAt)].sort());
  });

  it('should open, acknowledge and resolve an escalation by hand through the API, on the topic and in queries', async () => {
    const s = session();
    const manual = await system.api<{ escalationId: string }>('POST', '/v1/escalations', tenant.apiKeys.admin, { sessionId: s, reason: 'manual', note: 'customer threatened to churn' });
    expect(manual.status).toBe(202);
    const id = manual.body.escalationId;
    await waitFor(async () => (await system.api('GET', `/v1/escalations/${id}`, tenant.apiKeys.read)).status === 200, { timeoutMs: 20_000, what: 'the manual escalation projected' });
    expect((await system.api('POST', `/v1/escalations/${id}/acknowledge`, tenant.apiKeys.admin, { note: 'on it' })).status).toBe(202);
    await waitFor(async () => (await system.api<{ status: string }>('GET', `/v1/escalations/${id}`, tenant.apiKeys.read)).body.status === 'acknowledged', { timeoutMs: 20_000, what: 'acknowledged' });
    expect((await system.api('POST', `/v1/escalations/${id}/resolve`, tenant.apiKeys.admin, { notes: 'refund issued' })).status).toBe(202);
    const done = await waitFor(
      async () => {
        const r = await system.api<{ status: string; history: { type: string }[]; resolvedBy: string; notes: string }>('GET', `/v1/escalations/${id}`, tenant.apiKeys.read);
        return r.body.status === 'resolved' ? r.body : undefined;
      },
      { timeoutMs: 20_000, what: 'resolved' },
    );
    expect(done.history.map((h) => h.type)).toEqual(['escalation.opened', 'escalation.acknowledged', 'escalation.resolved']);
    expect(done.notes).toBe('refund issued');
    await settle(s, 3, 0);
    expect(of(s).map((e) => e.type)).toEqual(['escalation.opened', 'escalation.acknowledged', 'escalation.resolved']);
    const again = await system.api('POST', `/v1/escalations/${id}/resolve`, tenant.apiKeys.admin, {});
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'escalation_resolved' } } });
    expect((await system.api('POST', '/v1/escalations', tenant.apiKeys.read, { sessionId: s, note: 'x' })).status).toBe(403);
  });

  it('should reject invalid rule settings with 400 naming the field', async () => {
    const bad = await system.api('PUT', '/v1/escalation-rules', tenant.apiKeys.admin, { rules: { error_threshold: { threshold: 1 }, customer_request: { severity: 'apocalyptic' } } });
    expect(bad.status).toBe(400);
    const fields = (bad.body as { error: { errors: { field: string }[] } }).error.errors.map((e) => e.field).sort();
    expect(fields).toEqual(['/rules/customer_request/severity', '/rules/error_threshold/threshold']);
    const unknown = await system.api('PUT', '/v1/escalation-rules', tenant.apiKeys.admin, { rules: { nonsense: {} } });
    expect(unknown).toMatchObject({ status: 400, body: { error: { field: '/rules/nonsense' } } });
    const current = await system.api<{ settings: { rules: { confirmation_timeout: { timeoutMs: number } } } }>('GET', '/v1/escalation-rules', tenant.apiKeys.admin);
    expect(current.body.settings.rules.confirmation_timeout.timeoutMs).toBe(TIMEOUT_MS);
  });
});
