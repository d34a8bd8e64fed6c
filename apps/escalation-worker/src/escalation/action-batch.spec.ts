import { DEFAULT_SETTINGS, resolveSettings, type EscalationSettings } from '@agent-ledger/escalation-rules';
import { anActionEvent } from '@agent-ledger/testing';
import { planActionBatch, sessionOf, triggerFires } from './action-batch';

const T = '00000000-0000-4000-8000-000000000001';
const U = '00000000-0000-4000-8000-000000000002';

describe(planActionBatch.name, () => {
  const defaults = () => DEFAULT_SETTINGS;

  it('should keep only the events that touch state, in order, when most fire nothing and feed no window', () => {
    const quiet = [anActionEvent(T, { type: 'signal.agent_handoff' }), anActionEvent(T, { type: 'task.queued', taskId: 't-1' }), anActionEvent(T, { type: 'message.recorded' })];
    const failed = anActionEvent(T, { type: 'action.failed', tool: { name: 'x', riskLevel: 'safe' } });
    const handoff = anActionEvent(T, { type: 'signal.handoff_requested', sessionId: 's-9' });
    const confirmed = anActionEvent(T, { type: 'action.confirmed' });
    const pending = anActionEvent(T, { type: 'action.attempted', approval: { required: true } });
    const planned = planActionBatch([...quiet, failed, handoff, confirmed, pending].map((event) => ({ event })), defaults);
    expect(planned.map((p) => p.event.eventId)).toEqual([failed.eventId, handoff.eventId, confirmed.eventId, pending.eventId]);
    expect(planned.map((p) => [p.evaluation.countsAsFailure, p.evaluation.triggers.length, p.evaluation.decidesAction, p.evaluation.finishesAction, p.evaluation.timers.map((t) => t.kind)])).toEqual([
      [true, 0, false, true, []],
      [false, 1, false, false, []],
      [false, 0, true, false, ['stuck']],
      [false, 0, false, false, ['confirmation', 'stuck']],
    ]);
  });

  it('should remember by a seen mark every event but those that only start a stuck timer or finish an action', () => {
    const remembered = (e: Parameters<typeof anActionEvent>[1]) => planActionBatch([{ event: anActionEvent(T, e) }], defaults).map((p) => p.remembered);
    expect(remembered({ type: 'action.attempted' })).toEqual([false]);
    expect(remembered({ type: 'action.executed' })).toEqual([false]);
    expect(remembered({ type: 'action.cancelled' })).toEqual([true]);
    expect(remembered({ type: 'action.attempted', approval: { required: true } })).toEqual([true]);
    expect(remembered({ type: 'action.failed' })).toEqual([true]);
  });

  it('should keep an event repeated within the batch once, per tenant', () => {
    const e = anActionEvent(T, { type: 'signal.rate_limited' });
    const planned = planActionBatch([{ event: e }, { event: e }, { event: { ...e, tenantId: U } }], defaults);
    expect(planned.map((p) => p.event.tenantId)).toEqual([T, U]);
  });

  it('should evaluate each event under its own tenant settings and feed the windows those turn on', () => {
    const perTenant: Record<string, EscalationSettings> = { [T]: resolveSettings({ rules: { tenant_change_burst: { enabled: true } } }), [U]: DEFAULT_SETTINGS };
    const change = (tenantId: string) => ({ event: anActionEvent(tenantId, { type: 'change.recorded' }) });
    const planned = planActionBatch([change(T), change(U)], (t) => perTenant[t]);
    expect(planned.map((p) => [p.event.tenantId, p.feed.change])).toEqual([[T, true]]);
  });

  it('should carry the message headers, the conversation and occurredAt in ms', () => {
    const e = anActionEvent(T, { type: 'signal.budget_exceeded', sessionId: undefined, actionId: 'a-1', occurredAt: '2026-01-01T10:00:00.000Z' });
    const [p] = planActionBatch([{ event: e, headers: { traceparent: 'tp' } }], defaults);
    expect(p).toMatchObject({ headers: { traceparent: 'tp' }, sessionId: 'action:a-1', at: Date.parse('2026-01-01T10:00:00.000Z') });
    expect(triggerFires(p)).toEqual([{ tenantId: T, sessionId: 'action:a-1', actionId: 'a-1', reason: 'budget_exceeded', summary: expect.any(String), triggerId: e.eventId }]);
  });
});

describe(sessionOf.name, () => {
  it('should fall back to the action, then to no session', () => {
    expect(sessionOf(anActionEvent(T, { sessionId: 's' }))).toBe('s');
    expect(sessionOf(anActionEvent(T, { sessionId: undefined, actionId: 'a' }))).toBe('action:a');
    expect(sessionOf(anActionEvent(T, { type: 'message.recorded', sessionId: undefined, actionId: undefined }))).toBe('no-session');
  });
});
