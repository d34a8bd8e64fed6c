import type { EscalationEvent } from '@agent-ledger/contracts';
import { resolveSettings } from '@agent-ledger/escalation-rules';
import { anActionEvent } from '@agent-ledger/testing';
import { EscalationService } from './escalation.service';
import type { EscalationProducer } from './escalation.producer';
import type { EscalationStore, OpenOutcome } from './escalation.store';
import type { Fire } from './fire';
import type { RuleSettingsRepository } from './rule-settings.repository';
import type { WindowTriggers } from './window-triggers';
import type { WindowStore } from './window.store';

const T = '00000000-0000-4000-8000-000000000001';
const ESC = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

/** The service with the window rules answering `fires` and the open/fold step answering `outcome`. */
function setup(fires: Omit<Fire, 'triggerId' | 'tenantId'>[], outcome: Partial<OpenOutcome>) {
  const settings = resolveSettings({ cooldownMs: 90_000, rules: { tenant_failure_burst: { enabled: true, cooldownMs: 5_000 }, error_threshold: { enabled: false }, action_failed: { enabled: false } } });
  const published: EscalationEvent[] = [];
  const openCalls: unknown[][] = [];
  const store = {
    alreadyProcessed: async () => false,
    markProcessed: async () => undefined,
    markDecided: async () => undefined,
    isDecided: async () => false,
    openOrFold: async (...args: unknown[]) => {
      openCalls.push(args);
      return { outcome: 'opened', escalationId: ESC, count: 1, firstTrigger: args[4], openedAt: 0, ...outcome } as OpenOutcome;
    },
  } as unknown as EscalationStore;
  const producer = { publish: async (events: EscalationEvent[]) => void published.push(...events) } as unknown as EscalationProducer;
  const repo = { settingsOf: async () => settings } as unknown as RuleSettingsRepository;
  const triggers = { evaluate: async (e: { tenantId: string; eventId: string }) => fires.map((f) => ({ ...f, tenantId: e.tenantId, triggerId: e.eventId })) } as unknown as WindowTriggers;
  const service = new EscalationService(store, repo, producer, {} as WindowStore, triggers);
  return { service, published, openCalls };
}

describe(EscalationService.name, () => {
  const alert = { sessionId: 'tenant:tenant_failure_burst', reason: 'tenant_failure_burst' as const, summary: '4 failed actions within 1 min (more than 3)', tenantAlert: { cooldownMs: 5_000 } };

  it('should open a tenant alert with scope tenant, its synthetic session, its own cooldown from the opening and no action', async () => {
    const { service, published, openCalls } = setup([alert], {});
    const e = anActionEvent(T, { type: 'action.failed', tool: { name: 'x', riskLevel: 'safe' } });
    await service.handleActionEvent(e);
    expect(openCalls).toEqual([[T, 'tenant:tenant_failure_burst', 'tenant_failure_burst', expect.any(String), e.eventId, expect.any(Number), 5_000, true]]);
    expect(published).toEqual([
      expect.objectContaining({ type: 'escalation.opened', scope: 'tenant', sessionId: 'tenant:tenant_failure_burst', reason: 'tenant_failure_burst', severity: 'error', triggeringEventIds: [e.eventId], count: 1 }),
    ]);
    expect(published[0]).not.toHaveProperty('actionId');
  });

  it('should publish a fold of a tenant alert as escalation.updated with scope tenant', async () => {
    const { service, published } = setup([alert], { outcome: 'folded', count: 2, firstTrigger: 'other' });
    await service.handleActionEvent(anActionEvent(T, { type: 'action.failed' }));
    expect(published.map((p) => [p.type, p.scope, 'count' in p ? p.count : undefined])).toEqual([['escalation.updated', 'tenant', 2]]);
  });

  it('should close the previous alert with scope tenant when a crossing after the cooldown opens a new one', async () => {
    const stale = '9a1f7c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b';
    const { service, published } = setup([alert], { staleEscalationId: stale });
    await service.handleActionEvent(anActionEvent(T, { type: 'action.failed' }));
    expect(published.map((p) => [p.type, p.escalationId, p.scope])).toEqual([
      ['escalation.resolved', stale, 'tenant'],
      ['escalation.opened', ESC, 'tenant'],
    ]);
  });

  it('should publish nothing when a crossing is suppressed by the cooldown of a resolved alert', async () => {
    const { service, published } = setup([alert], { outcome: 'suppressed' });
    await service.handleActionEvent(anActionEvent(T, { type: 'action.failed' }));
    expect(published).toEqual([]);
  });

  it('should open a conversation trigger without scope, with the global cooldown from the latest trigger', async () => {
    const { service, published, openCalls } = setup([{ sessionId: 's-1', reason: 'session_too_long', summary: 'long' }], {});
    await service.handleActionEvent(anActionEvent(T, { type: 'action.attempted', sessionId: 's-1' }));
    expect(openCalls.map((c) => c.slice(6))).toEqual([[90_000, false]]);
    expect(published).toEqual([expect.objectContaining({ type: 'escalation.opened', sessionId: 's-1', reason: 'session_too_long' })]);
    expect(published[0]).not.toHaveProperty('scope');
  });
});
