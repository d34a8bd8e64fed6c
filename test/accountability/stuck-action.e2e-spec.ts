import { randomUUID } from 'node:crypto';
import type { ActionEventInput, EscalationEvent } from '@agent-ledger/contracts';
import { anActionEventInput, EscalationTap, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';

const DEADLINE_MS = 3_000;
/** A tool whose own deadline (longer) overrides the test-sized default. */
const SLOW_TOOL = 'export_archive';

type Opened = Extract<EscalationEvent, { type: 'escalation.opened' }>;

/**
 * The lifecycle watchdog over the real Kafka, Redis and PostgreSQL: an action with no terminal event
 * before its deadline opens one stuck_action escalation, which its late executed event resolves; the
 * worker SIGKILLed before the deadline still fires it once; a tool's own deadline overrides.
 */
describe('lifecycle watchdog (stuck_action)', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector', 'escalation-worker'] });
  const tap = new EscalationTap(system, () => tenant.tenantId);
  let tenant: TestTenant;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`stuck-${system.suffix}`);
    const rules = await system.api('PUT', '/v1/escalation-rules', tenant.apiKeys.admin, { rules: { stuck_action: { deadlineMs: DEADLINE_MS, toolDeadlinesMs: { [SLOW_TOOL]: 600_000 } } } });
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
  const opened = (sessionId: string) => of(sessionId).filter((e): e is Opened => e.type === 'escalation.opened');
  const attempt = (sessionId: string, actionId: string, tool = 'refund_order') => anActionEventInput({ type: 'action.attempted', sessionId, actionId, tool: { name: tool, riskLevel: 'destructive' } });
  /** Waits until the session has `n` escalation events, then a little longer to see that no more arrive. */
  async function settle(sessionId: string, n: number, quietMs = 1_500): Promise<EscalationEvent[]> {
    if (n > 0) await waitFor(() => of(sessionId).length >= n, { timeoutMs: 30_000, what: `${n} escalation events of ${sessionId}` });
    await new Promise((r) => setTimeout(r, quietMs));
    return of(sessionId);
  }

  it('should open one stuck_action escalation after the deadline, resolve it on the late executed event, and leave finished actions alone', async () => {
    const [stuck, done, reversed] = [session(), session(), session()];
    const [stuckAction, doneAction, reversedAction] = [`a-${randomUUID()}`, `a-${randomUUID()}`, `a-${randomUUID()}`];
    const started = attempt(stuck, stuckAction);
    const reversedAttempt = { ...attempt(reversed, reversedAction), occurredAt: new Date(Date.now() - 1_000).toISOString() };
    await post([
      started,
      attempt(done, doneAction),
      anActionEventInput({ type: 'action.executed', sessionId: done, actionId: doneAction }),
      // Out of order: the terminal event arrives before its attempt.
      anActionEventInput({ type: 'action.cancelled', sessionId: reversed, actionId: reversedAction }),
      reversedAttempt,
    ]);
    await settle(stuck, 1, DEADLINE_MS);
    const [open] = opened(stuck);
    expect(open).toMatchObject({ reason: 'stuck_action', actionId: stuckAction, sessionId: stuck, count: 1, triggeringEventIds: [started.eventId] });
    expect(open.summary).toContain(stuckAction);
    expect(open.summary).toContain('refund_order');
    expect(Date.parse(open.occurredAt) - Date.parse(started.occurredAt!)).toBeGreaterThanOrEqual(DEADLINE_MS);
    expect(of(stuck)).toHaveLength(1);
    expect([...of(done), ...of(reversed)]).toEqual([]);

    await post([anActionEventInput({ type: 'action.executed', sessionId: stuck, actionId: stuckAction })]);
    const events = await settle(stuck, 2);
    expect(events.map((e) => e.type)).toEqual(['escalation.opened', 'escalation.resolved']);
    expect(events[1]).toMatchObject({ escalationId: open.escalationId, resolvedBy: 'system:watchdog' });
    const projected = await waitFor(
      async () => {
        const r = await system.api<{ status: string; resolvedBy: string; reason: string }>('GET', `/v1/escalations/${open.escalationId}`, tenant.apiKeys.read);
        return r.body.status === 'resolved' ? r.body : undefined;
      },
      { timeoutMs: 20_000, what: 'the stuck_action escalation resolved in the API' },
    );
    expect(projected).toMatchObject({ reason: 'stuck_action', resolvedBy: 'system:watchdog' });
  });

  it('should fire exactly once after the worker is SIGKILLed between the attempt and its deadline', async () => {
    const s = session();
    const actionId = `a-${randomUUID()}`;
    await post([attempt(s, actionId)]);
    // Once the worker has seen the attempt (a marker after it in the same session fired), kill it before the deadline.
    await post([anActionEventInput({ type: 'signal.handoff_requested', sessionId: s })]);
    await waitFor(() => of(s).some((e) => e.type === 'escalation.opened' && e.reason === 'customer_request'), { timeoutMs: 20_000, what: 'the marker escalation' });
    expect(opened(s).filter((e) => e.reason === 'stuck_action')).toEqual([]);
    await system.restart('escalation-worker', 'SIGKILL');
    await settle(s, 2, DEADLINE_MS + 1_500);
    expect(opened(s).filter((e) => e.reason === 'stuck_action')).toEqual([expect.objectContaining({ actionId, count: 1 })]);
    expect(of(s)).toHaveLength(2);
  });

  it("should let a tool's own deadline override the default, and refuse a deadline out of bounds naming the field", async () => {
    const bad = await system.api('PUT', '/v1/escalation-rules', tenant.apiKeys.admin, { rules: { stuck_action: { toolDeadlinesMs: { [SLOW_TOOL]: 10 } } } });
    expect(bad).toMatchObject({ status: 400, body: { error: { field: `/rules/stuck_action/toolDeadlinesMs/${SLOW_TOOL}` } } });
    const [slow, plain] = [session(), session()];
    await post([attempt(slow, `a-${randomUUID()}`, SLOW_TOOL), attempt(plain, `a-${randomUUID()}`)]);
    await settle(plain, 1, 1_500);
    expect(opened(plain)).toEqual([expect.objectContaining({ reason: 'stuck_action' })]);
    expect(of(slow)).toEqual([]);
  });
});
