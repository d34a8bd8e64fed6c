import { anActionEvent } from '@agent-ledger/testing';
import { evaluate } from './evaluate';
import { DEFAULT_SETTINGS, resolveSettings, settingsInputSchema } from './settings';

const T = '00000000-0000-4000-8000-000000000001';

describe('evaluate', () => {
  it('should trigger the matching rule for each signal', () => {
    const reasons = (['signal.handoff_requested', 'signal.permission_denied', 'signal.budget_exceeded', 'signal.rate_limited'] as const).map(
      (type) => evaluate(anActionEvent(T, { type, sessionId: 's' }), DEFAULT_SETTINGS).triggers.map((t) => t.reason),
    );
    expect(reasons).toEqual([['customer_request'], ['permission_denied'], ['budget_exceeded'], ['rate_limited']]);
  });

  it('should trigger action_failed only for destructive or critical tools', () => {
    const failed = (riskLevel: 'safe' | 'moderate' | 'destructive' | 'critical') =>
      evaluate(anActionEvent(T, { type: 'action.failed', tool: { name: 'x', riskLevel } }), DEFAULT_SETTINGS);
    expect(failed('safe').triggers).toEqual([]);
    expect(failed('moderate').triggers).toEqual([]);
    expect(failed('destructive').triggers.map((t) => t.reason)).toEqual(['action_failed']);
    expect(failed('critical').triggers.map((t) => t.reason)).toEqual(['action_failed']);
    expect(failed('safe').countsAsFailure).toBe(true);
  });

  it('should trigger high_risk_unapproved for a critical tool executed without an approved decision', () => {
    const exec = (decision?: 'approved' | 'auto') =>
      evaluate(anActionEvent(T, { type: 'action.executed', tool: { name: 'wire', riskLevel: 'critical' }, approval: decision ? { required: true, decision } : undefined }), DEFAULT_SETTINGS);
    expect(exec('approved').triggers).toEqual([]);
    expect(exec('auto').triggers.map((t) => t.reason)).toEqual(['high_risk_unapproved']);
    expect(exec().triggers.map((t) => t.reason)).toEqual(['high_risk_unapproved']);
  });

  it('should start a confirmation timer only for an attempt awaiting approval', () => {
    const kinds = (e: Parameters<typeof anActionEvent>[1]) => evaluate(anActionEvent(T, e), DEFAULT_SETTINGS).timers.map((t) => t.kind);
    expect(kinds({ type: 'action.attempted', approval: { required: true } })).toEqual(['confirmation', 'stuck']);
    expect(kinds({ type: 'action.attempted', approval: { required: true, decision: 'auto' } })).toEqual(['stuck']);
    expect(kinds({ type: 'action.attempted', approval: { required: false, decision: 'not_required' } })).toEqual(['stuck']);
    expect(evaluate(anActionEvent(T, { type: 'action.confirmed' }), DEFAULT_SETTINGS).decidesAction).toBe(true);
    expect(evaluate(anActionEvent(T, { type: 'action.cancelled' }), DEFAULT_SETTINGS).decidesAction).toBe(true);
  });

  it('should start a stuck timer on an attempt (replacing) or a confirmation (not replacing), after the deadline of its tool, else its risk level, else the default', () => {
    const s = resolveSettings({ rules: { stuck_action: { deadlineMs: 60_000, riskLevelDeadlinesMs: { critical: 30_000 }, toolDeadlinesMs: { wire_money: 5_000 } } } });
    const stuck = (type: 'action.attempted' | 'action.confirmed', tool?: { name: string; riskLevel: 'safe' | 'critical' }) =>
      evaluate(anActionEvent(T, { type, tool, approval: { required: false, decision: 'not_required' } }), s).timers.filter((t) => t.kind === 'stuck');
    expect(stuck('action.attempted', { name: 'wire_money', riskLevel: 'critical' })).toEqual([{ kind: 'stuck', afterMs: 5_000, replaces: true }]);
    expect(stuck('action.attempted', { name: 'delete_user', riskLevel: 'critical' })).toEqual([{ kind: 'stuck', afterMs: 30_000, replaces: true }]);
    expect(stuck('action.confirmed', { name: 'lookup', riskLevel: 'safe' })).toEqual([{ kind: 'stuck', afterMs: 60_000, replaces: false }]);
    expect(stuck('action.confirmed')).toEqual([{ kind: 'stuck', afterMs: 60_000, replaces: false }]);
    expect(evaluate(anActionEvent(T, { type: 'action.attempted', actionId: undefined }), s).timers).toEqual([]);
    expect(evaluate(anActionEvent(T, { type: 'action.attempted' }), resolveSettings({ rules: { stuck_action: { enabled: false } } })).timers).toEqual([]);
    expect(DEFAULT_SETTINGS.rules.stuck_action.deadlineMs).toBe(15 * 60_000);
  });

  it('should finish an action on executed, failed and cancelled only, whether or not stuck_action is on', () => {
    const off = resolveSettings({ rules: { stuck_action: { enabled: false } } });
    const finishes = (['action.attempted', 'action.confirmed', 'action.executed', 'action.failed', 'action.cancelled', 'signal.handoff_requested'] as const).map((type) => evaluate(anActionEvent(T, { type }), off).finishesAction);
    expect(finishes).toEqual([false, false, true, true, true, false]);
    expect(evaluate(anActionEvent(T, { type: 'action.executed', actionId: undefined }), DEFAULT_SETTINGS).finishesAction).toBe(false);
  });

  it('should not trigger a disabled rule', () => {
    const s = resolveSettings({ rules: { customer_request: { enabled: false } } });
    expect(evaluate(anActionEvent(T, { type: 'signal.handoff_requested', sessionId: 's' }), s).triggers).toEqual([]);
  });
});

describe('settings', () => {
  it('should keep the defaults for what a tenant leaves unset', () => {
    const s = resolveSettings({ cooldownMs: 5_000, rules: { error_threshold: { threshold: 5 } } });
    expect(s.cooldownMs).toBe(5_000);
    expect(s.rules.error_threshold).toEqual({ ...DEFAULT_SETTINGS.rules.error_threshold, threshold: 5 });
    expect(s.rules.customer_request).toEqual(DEFAULT_SETTINGS.rules.customer_request);
    expect(DEFAULT_SETTINGS.rules.error_threshold.threshold).toBe(3);
  });

  it('should name the field of each invalid setting', () => {
    const r = settingsInputSchema.safeParse({ cooldownMs: -1, rules: { error_threshold: { threshold: 1, windowMs: 'soon' }, nonsense: {} } });
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join('/'));
    expect(paths).toEqual(expect.arrayContaining(['cooldownMs', 'rules/error_threshold/threshold', 'rules/error_threshold/windowMs', 'rules']));
  });
});
