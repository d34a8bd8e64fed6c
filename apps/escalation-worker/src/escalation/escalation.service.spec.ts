import type { EscalationEvent } from '@agent-ledger/contracts';
import { resolveSettings } from '@agent-ledger/escalation-rules';
import { anActionEvent } from '@agent-ledger/testing';
import { EscalationService } from './escalation.service';
import type { EscalationProducer } from './escalation.producer';
import type { DueTimer, EscalationStore, OpenOutcome, StuckEscalation } from './escalation.store';
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
function setup(alertFires: Omit<Fire, 'triggerId' | 'tenantId'>[], outcome: Partial<OpenOutcome> = {}, seen: string[] = [], stuck: { open?: StuckEscalation; finished?: boolean; finishedMeanwhile?: boolean } = {}, openByKey: Record<string, string> = {}) {
  const settings = resolveSettings({ cooldownMs: 90_000, rules: { tenant_failure_burst: { enabled: true, cooldownMs: 5_000 }, error_threshold: { enabled: false }, action_failed: { enabled: false } } });
  const log: string[] = [];
  const openCalls: unknown[][] = [];
  const finishes: string[] = [];
  const store = {
    roundTrip: () => ({ run: async () => void log.push('round trip') }),
    alreadyProcessed: (_rt: unknown, _t: string, eventId: string) => () => seen.includes(eventId),
    markProcessed: (_rt: unknown, _t: string, eventId: string) => void log.push(`seen ${eventId}`),
    markDecided: () => undefined,
    scheduleTimer: (_rt: unknown, t: DueTimer, dueMs: number, replaces: boolean) => {
      log.push(`timer ${t.kind} ${t.actionId} ${dueMs} ${replaces}`);
      return () => true;
    },
    finishAction: (_rt: unknown, _t: string, actionId: string) => {
      finishes.push(actionId);
      return () => stuck.open;
    },
    clearOpen: (_rt: unknown, escalationId: string) => void log.push(`clear ${escalationId}`),
    isFinished: async () => !!stuck.finished,
    completeTimer: async (t: DueTimer, fired?: StuckEscalation) => {
      log.push(`complete ${t.kind} ${fired?.escalationId ?? '-'}`);
      return !!stuck.finishedMeanwhile;
    },
    applyStatus: async (escalationId: string, status: string) => void log.push(`${status} ${escalationId}`),
    openEscalationOf: async (tenantId: string, sessionId: string, key: string) => openByKey[`${tenantId}:${sessionId}:${key}`],
    openOrFold: (_rt: unknown, ...args: unknown[]) => {
      openCalls.push(args);
      return () => ({ outcome: 'opened', escalationId: ESC, count: 1, firstTrigger: args[4], openedAt: 0, ...outcome }) as OpenOutcome;
    },
  } as unknown as EscalationStore;
  const published: EscalationEvent[] = [];
  const producer = {
    publish: async (events: EscalationEvent[]) => {
      published.push(...events);
      log.push(...events.map((e) => `publish ${e.type} ${'triggeringEventIds' in e ? e.triggeringEventIds[0] : ''}`));
    },
  } as unknown as EscalationProducer;
  const repo = { settingsOf: async () => settings } as unknown as RuleSettingsRepository;
  const triggers = {
    queue: () => ({}),
    crossings: (_rt: unknown, p: { event: { tenantId: string; eventId: string } }) => () => alertFires.map((f) => ({ ...f, tenantId: p.event.tenantId, triggerId: p.event.eventId })),
  } as unknown as WindowTriggers;
  return { service: new EscalationService(store, repo, producer, triggers), log, openCalls, published, finishes };
}

describe(EscalationService.name, () => {
  const alert = { sessionId: 'tenant:tenant_failure_burst', reason: 'tenant_failure_burst' as const, summary: '4 failed actions within 1 min (more than 3)', tenantAlert: { cooldownMs: 5_000 } };
  const failed = () => ({ event: anActionEvent(T, { type: 'action.failed', tool: { name: 'x', riskLevel: 'safe' } }) });

  it('should touch no state for a batch of events that fire nothing and feed no window', async () => {
    const { service, log } = setup([alert]);
    await service.handleActionBatch([{ event: anActionEvent(T, { type: 'signal.agent_handoff' }) }, { event: anActionEvent(T, { type: 'message.recorded' }) }]);
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

describe(`${EscalationService.name} stuck actions`, () => {
  const timer = (over: Partial<DueTimer> = {}): DueTimer => ({ member: 'm', kind: 'stuck', tenantId: T, actionId: 'a-1', sessionId: 's-1', eventId: 'e-1', tool: 'wire_money (critical)', deadlineMs: 3_000, ...over });

  it('should schedule a stuck timer from the attempt occurredAt plus the deadline, replacing a pending one', async () => {
    const { service, log } = setup([]);
    const e = anActionEvent(T, { type: 'action.attempted', actionId: 'a-1', occurredAt: '2026-01-01T10:00:00.000Z' });
    await service.handleActionBatch([{ event: e }]);
    expect(log).toContain(`timer stuck a-1 ${Date.parse('2026-01-01T10:00:00.000Z') + 15 * 60_000} true`);
  });

  it('should open one stuck_action escalation per action, in its session, naming action and tool, then mark the timer fired', async () => {
    const { service, log, openCalls, published } = setup([]);
    await service.handleDueTimer(timer());
    expect(openCalls.map((c) => c.slice(0, 4))).toEqual([[T, 's-1', 'stuck_action:a-1', expect.any(String)]]);
    expect(published).toEqual([expect.objectContaining({ type: 'escalation.opened', reason: 'stuck_action', sessionId: 's-1', actionId: 'a-1', triggeringEventIds: ['e-1'], summary: expect.stringMatching(/a-1 of wire_money \(critical\).* 3 s/) })]);
    expect(log.slice(-1)).toEqual([`complete stuck ${ESC}`]);
  });

  it('should do nothing but drop the timer of an action that finished', async () => {
    const { service, log, published } = setup([], {}, [], { finished: true });
    await service.handleDueTimer(timer());
    expect(published).toEqual([]);
    expect(log).toEqual(['complete stuck -']);
  });

  it('should resolve at once an escalation whose action finished while it opened', async () => {
    const { service, log, published } = setup([], {}, [], { finishedMeanwhile: true });
    await service.handleDueTimer(timer());
    expect(published.map((e) => e.type)).toEqual(['escalation.opened', 'escalation.resolved']);
    expect(published[1]).toMatchObject({ escalationId: ESC, sessionId: 's-1', resolvedBy: 'system:watchdog' });
    expect(log.slice(-1)).toEqual([`resolved ${ESC}`]);
  });

  it('should resolve the open stuck_action escalation when a terminal event arrives, also when the event was handled before, then clear its open state', async () => {
    const e = anActionEvent(T, { type: 'action.executed', actionId: 'a-1' });
    for (const seen of [[], [e.eventId]]) {
      const { service, log, published } = setup([], {}, seen, { open: { escalationId: ESC, sessionId: 's-1' } });
      await service.handleActionBatch([{ event: e }]);
      expect(published).toEqual([expect.objectContaining({ type: 'escalation.resolved', escalationId: ESC, sessionId: 's-1', resolvedBy: 'system:watchdog', notes: expect.stringContaining('action.executed') })]);
      expect(log.indexOf(`clear ${ESC}`)).toBeGreaterThan(log.indexOf('publish escalation.resolved '));
    }
  });

  it('should publish nothing for a terminal event without an open stuck_action escalation', async () => {
    const { service, published, finishes } = setup([], {}, [], {});
    await service.handleActionBatch([{ event: anActionEvent(T, { type: 'action.executed', actionId: 'a-2' }) }]);
    expect(published).toEqual([]);
    expect(finishes).toEqual(['a-2']);
  });
});

describe(`${EscalationService.name} resolutions`, () => {
  const resolution = { keys: ['7', '9'], tenantId: T, sessionId: 'producer:p-1', reason: 'events_missing' as const, resolvedBy: 'system:loss-accounting', notes: 'Producer p-1: the missing events arrived' };

  it('should publish escalation.resolved for the open escalation of the session and reason, then clear its open state', async () => {
    const { service, log, published } = setup([], {}, [], {}, { [`${T}:producer:p-1:events_missing`]: ESC });
    expect(await service.resolveOpen(resolution)).toBe(true);
    expect(published).toEqual([
      { type: 'escalation.resolved', eventId: expect.any(String), escalationId: ESC, tenantId: T, sessionId: 'producer:p-1', occurredAt: expect.any(String), resolvedBy: 'system:loss-accounting', notes: resolution.notes },
    ]);
    expect(log).toEqual(['publish escalation.resolved ', `resolved ${ESC}`]);
    // Published again after a crash before the open state was cleared: the same message id.
    const again = setup([], {}, [], {}, { [`${T}:producer:p-1:events_missing`]: ESC });
    await again.service.resolveOpen(resolution);
    expect(again.published[0].eventId).toBe(published[0].eventId);
  });

  it('should publish nothing when no escalation of that session and reason is open', async () => {
    const { service, log, published } = setup([], {}, [], {}, { [`${T}:producer:p-2:events_missing`]: ESC });
    expect(await service.resolveOpen(resolution)).toBe(false);
    expect([published, log]).toEqual([[], []]);
  });
});
