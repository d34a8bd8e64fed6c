import type { EscalationEvent } from '@agent-ledger/contracts';
import { resolveSettings } from '@agent-ledger/escalation-rules';
import { anActionEvent } from '@agent-ledger/testing';
import { EscalationService } from './escalation.service';
import type { EscalationProducer } from './escalation.producer';
import type { EscalationStore, OpenOutcome } from './escalation.store';
import type { Fire } from './fire';
import type { RuleSettingsRepository } from './rule-settings.repository';
import type { WindowTriggers } from './window-triggers';

const T = '00000000-0000-4000-8000-000000000001';
const ESC = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

/**
 * The service over a store whose round trips answer at once (`seen`: events already handled), window
 * rules answering `alertFires` for every event, and the open/fold step answering `outcome`. `log`
 * records the order of round trips, publications and seen marks.
 */
function setup(alertFires: Omit<Fire, 'triggerId' | 'tenantId'>[], outcome: Partial<OpenOutcome> = {}, seen: string[] = []) {
  const settings = resolveSettings({ cooldownMs: 90_000, rules: { tenant_failure_burst: { enabled: true, cooldownMs: 5_000 }, error_threshold: { enabled: false }, action_failed: { enabled: false } } });
  const log: string[] = [];
  const openCalls: unknown[][] = [];
  const store = {
    roundTrip: () => ({ run: async () => void log.push('round trip') }),
    alreadyProcessed: (_rt: unknown, _t: string, eventId: string) => () => seen.includes(eventId),
    markProcessed: (_rt: unknown, _t: string, eventId: string) => void log.push(`seen ${eventId}`),
    markDecided: () => undefined,
    scheduleTimer: () => () => true,
    openOrFold: (_rt: unknown, ...args: unknown[]) => {
      openCalls.push(args);
      return () => ({ outcome: 'opened', escalationId: ESC, count: 1, firstTrigger: args[4], openedAt: 0, ...outcome }) as OpenOutcome;
    },
  } as unknown as EscalationStore;
  const producer = { publish: async (events: EscalationEvent[]) => void log.push(...events.map((e) => `publish ${e.type} ${'triggeringEventIds' in e ? e.triggeringEventIds[0] : ''}`)) } as unknown as EscalationProducer;
  const repo = { settingsOf: async () => settings } as unknown as RuleSettingsRepository;
  const triggers = {
    queue: () => ({}),
    crossings: (_rt: unknown, p: { event: { tenantId: string; eventId: string } }) => () => alertFires.map((f) => ({ ...f, tenantId: p.event.tenantId, triggerId: p.event.eventId })),
  } as unknown as WindowTriggers;
  return { service: new EscalationService(store, repo, producer, triggers), log, openCalls };
}

describe(EscalationService.name, () => {
  const alert = { sessionId: 'tenant:tenant_failure_burst', reason: 'tenant_failure_burst' as const, summary: '4 failed actions within 1 min (more than 3)', tenantAlert: { cooldownMs: 5_000 } };
  const failed = () => ({ event: anActionEvent(T, { type: 'action.failed', tool: { name: 'x', riskLevel: 'safe' } }) });

  it('should touch no state for a batch of events that fire nothing and feed no window', async () => {
    const { service, log } = setup([alert]);
    await service.handleActionBatch([{ event: anActionEvent(T, { type: 'action.attempted' }) }, { event: anActionEvent(T, { type: 'action.executed' }) }]);
    expect(log).toEqual([]);
  });

  it('should use four round trips for a batch, publish in event order with a heartbeat after each, and mark the events seen only after publishing', async () => {
    const { service, log } = setup([alert]);
    const [a, b] = [failed(), failed()];
    await service.handleActionBatch([a, b], async () => void log.push('heartbeat'));
    expect(log).toEqual([
      'round trip',
      'round trip',
      'round trip',
      `publish escalation.opened ${a.event.eventId}`,
      'heartbeat',
      `publish escalation.opened ${b.event.eventId}`,
      'heartbeat',
      `seen ${a.event.eventId}`,
      `seen ${b.event.eventId}`,
      'round trip',
    ]);
  });

  it('should open or fold a tenant alert under its own cooldown from the opening', async () => {
    const { service, openCalls } = setup([alert]);
    const e = failed();
    await service.handleActionBatch([e]);
    expect(openCalls).toEqual([[T, 'tenant:tenant_failure_burst', 'tenant_failure_burst', expect.any(String), e.event.eventId, expect.any(Number), 5_000, true]]);
  });

  it('should open a conversation trigger under the tenant cooldown from the latest trigger', async () => {
    const { service, openCalls } = setup([]);
    await service.handleActionBatch([{ event: anActionEvent(T, { type: 'signal.handoff_requested', sessionId: 's-1' }) }]);
    expect(openCalls.map((c) => [c[1], c[2], ...c.slice(6)])).toEqual([['s-1', 'customer_request', 90_000, false]]);
  });

  it('should publish nothing for an event handled before, nor mark it again', async () => {
    const [a, b] = [failed(), failed()];
    const { service, log } = setup([alert], {}, [a.event.eventId]);
    await service.handleActionBatch([a, b]);
    expect(log.filter((l) => l !== 'round trip')).toEqual([`publish escalation.opened ${b.event.eventId}`, `seen ${b.event.eventId}`]);
  });

  it('should publish nothing for a suppressed crossing, yet mark its event seen', async () => {
    const { service, log } = setup([alert], { outcome: 'suppressed' });
    const e = failed();
    await service.handleActionBatch([e]);
    expect(log.filter((l) => l !== 'round trip')).toEqual([`seen ${e.event.eventId}`]);
  });
});
