import { resolveSettings } from '@agent-ledger/escalation-rules';
import { escalationMessages, isOpening } from './escalation-messages';
import type { OpenOutcome } from './escalation.store';
import type { Fire } from './fire';

const T = '00000000-0000-4000-8000-000000000001';
const ESC = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const STALE = '9a1f7c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b';
const NOW = Date.parse('2026-01-01T10:00:00Z');
const settings = resolveSettings({ cooldownMs: 90_000, rules: { tenant_failure_burst: { enabled: true, cooldownMs: 5_000 } } });
const alert: Fire = { tenantId: T, sessionId: 'tenant:tenant_failure_burst', reason: 'tenant_failure_burst', summary: '4 failed actions within 1 min (more than 3)', triggerId: 'e-1', tenantAlert: { cooldownMs: 5_000 } };
const conversation: Fire = { tenantId: T, sessionId: 's-1', actionId: 'a-1', reason: 'session_too_long', summary: 'long', triggerId: 'e-2' };
const outcome = (o: Partial<OpenOutcome>): OpenOutcome => ({ outcome: 'opened', escalationId: ESC, count: 1, firstTrigger: 'e-1', openedAt: NOW, ...o });

describe(escalationMessages.name, () => {
  it('should open a tenant alert with scope tenant, its synthetic session and no action', () => {
    const out = escalationMessages(alert, outcome({}), settings, NOW);
    expect(out).toEqual([expect.objectContaining({ type: 'escalation.opened', scope: 'tenant', sessionId: 'tenant:tenant_failure_burst', reason: 'tenant_failure_burst', severity: 'error', triggeringEventIds: ['e-1'], count: 1, occurredAt: new Date(NOW).toISOString() })]);
    expect(out[0]).not.toHaveProperty('actionId');
  });

  it('should publish a fold of a tenant alert as escalation.updated with scope tenant', () => {
    const out = escalationMessages(alert, outcome({ outcome: 'folded', count: 2, firstTrigger: 'other' }), settings, NOW);
    expect(out.map((p) => [p.type, p.scope, 'count' in p ? p.count : undefined])).toEqual([['escalation.updated', 'tenant', 2]]);
  });

  it('should close the previous alert with scope tenant when a crossing after the cooldown opens a new one', () => {
    const out = escalationMessages(alert, outcome({ staleEscalationId: STALE }), settings, NOW);
    expect(out.map((p) => [p.type, p.escalationId, p.scope])).toEqual([
      ['escalation.resolved', STALE, 'tenant'],
      ['escalation.opened', ESC, 'tenant'],
    ]);
    expect(out[0]).toMatchObject({ notes: 'cooldown of 5 s over; a new crossing opened a new alert' });
  });

  it('should publish nothing when a crossing is suppressed by the cooldown of a resolved alert', () => {
    expect(escalationMessages(alert, outcome({ outcome: 'suppressed' }), settings, NOW)).toEqual([]);
  });

  it('should open a conversation trigger without scope, with its action', () => {
    const out = escalationMessages(conversation, outcome({ firstTrigger: 'e-2' }), settings, NOW);
    expect(out).toEqual([expect.objectContaining({ type: 'escalation.opened', sessionId: 's-1', actionId: 'a-1', reason: 'session_too_long' })]);
    expect(out[0]).not.toHaveProperty('scope');
  });

  it('should publish the same opening again for a redelivered opening trigger, dated at the opening, and an update for any other repeat', () => {
    const opening = outcome({ outcome: 'duplicate', firstTrigger: 'e-2', openedAt: NOW - 1_000 });
    expect(isOpening(conversation, opening)).toBe(true);
    expect(escalationMessages(conversation, opening, settings, NOW)).toEqual(escalationMessages(conversation, outcome({ firstTrigger: 'e-2' }), settings, NOW - 1_000));
    const repeat = outcome({ outcome: 'duplicate', firstTrigger: 'e-0', count: 3 });
    expect(escalationMessages(conversation, repeat, settings, NOW).map((p) => p.type)).toEqual(['escalation.updated']);
  });
});
