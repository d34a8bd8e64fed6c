import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ActionEvent, EscalationEvent } from '@agent-ledger/contracts';
import { resolveSettings, type EscalationSettingsInput } from '@agent-ledger/escalation-rules';
import { anActionEvent, stackEnv } from '@agent-ledger/testing';
import type { ConsumedActionEvent } from './action-batch';
import { EscalationService } from './escalation.service';
import type { EscalationProducer } from './escalation.producer';
import { EscalationStore } from './escalation.store';
import type { RuleSettingsRepository } from './rule-settings.repository';
import { WindowTriggers } from './window-triggers';
import { WindowStore } from './window.store';
import type { WorkerSettings } from './worker-settings';

/** Batches through the service on the stack's real Redis (settings and the producer faked), under a key prefix of its own. */
describe(`${EscalationService.name} batches`, () => {
  const redis = new Redis(stackEnv().redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  const prefix = `test:batches:${randomUUID()}`;
  const worker: WorkerSettings = { groupId: 'g', sessionTimeoutMs: 10_000, redisPrefix: prefix, timerPollMs: 1_000, settingsCacheMs: 0 };
  const store = new EscalationStore(redis, worker);

  function setup(input: EscalationSettingsInput = {}) {
    const settings = resolveSettings(input);
    const published: EscalationEvent[] = [];
    const producer = { publish: async (events: EscalationEvent[]) => void published.push(...events) } as unknown as EscalationProducer;
    const repo = { settingsOf: async () => settings } as unknown as RuleSettingsRepository;
    const service = new EscalationService(store, repo, producer, new WindowTriggers(new WindowStore(redis, worker)));
    return { service, published };
  }
  const batch = (...events: ActionEvent[]): ConsumedActionEvent[] => events.map((event) => ({ event }));
  const failed = (tenantId: string, sessionId: string, i: number) =>
    anActionEvent(tenantId, { type: 'action.failed', sessionId, tool: { name: 'x', riskLevel: 'safe' }, occurredAt: new Date(Date.now() + i).toISOString() });

  beforeAll(() => redis.connect());
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('should send no Redis command for a batch of events that fire nothing and feed no window', async () => {
    const { service, published } = setup();
    const t = randomUUID();
    const sent = jest.spyOn(redis, 'sendCommand');
    await service.handleActionBatch(batch(...Array.from({ length: 50 }, (_, i) => anActionEvent(t, { type: i % 2 ? 'message.recorded' : 'signal.agent_handoff', sessionId: `s-${i}` }))));
    expect(sent).not.toHaveBeenCalled();
    sent.mockRestore();
    expect(published).toEqual([]);
  });

  it('should open error_threshold once on the third failure of a session in one batch, and publish nothing again when the batch is redelivered', async () => {
    const { service, published } = setup({ rules: { error_threshold: { threshold: 3 } } });
    const t = randomUUID();
    const events = [0, 1, 2, 3].map((i) => failed(t, 's-1', i));
    await service.handleActionBatch(batch(...events));
    expect(published.map((p) => [p.type, 'triggeringEventIds' in p ? p.triggeringEventIds : undefined])).toEqual([
      ['escalation.opened', [events[2].eventId]],
      ['escalation.updated', [events[3].eventId]],
    ]);
    published.length = 0;
    await service.handleActionBatch(batch(...events));
    expect(published).toEqual([]);
  });

  it('should count an event repeated within a batch once', async () => {
    const { service, published } = setup({ rules: { error_threshold: { threshold: 2 } } });
    const t = randomUUID();
    const once = failed(t, 's-1', 0);
    await service.handleActionBatch(batch(once, once, failed(t, 's-2', 1)));
    expect(published).toEqual([]);
  });

  it('should publish the same messages again for a batch handled before its seen marks were set (a crash after publishing)', async () => {
    const { service, published } = setup();
    const t = randomUUID();
    const ask = anActionEvent(t, { type: 'signal.handoff_requested', sessionId: 's-1' });
    await service.handleActionBatch(batch(ask));
    await redis.del(`${prefix}:seen:${t}:${ask.eventId}`);
    await service.handleActionBatch(batch(ask));
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual({ ...published[0], occurredAt: published[1].occurredAt });
  });

  it('should not start a confirmation timer for an action decided earlier in the same batch', async () => {
    const { service } = setup();
    const t = randomUUID();
    const pending = (actionId: string) => anActionEvent(t, { type: 'action.attempted', actionId, sessionId: 's', approval: { required: true } });
    await service.handleActionBatch(batch(anActionEvent(t, { type: 'action.confirmed', actionId: 'a1', sessionId: 's' }), pending('a1'), pending('a2')));
    const timers = (await store.dueTimers(Number.MAX_SAFE_INTEGER, 1_000)).filter((d) => d.tenantId === t);
    expect(timers.filter((d) => d.kind === 'confirmation').map((d) => d.actionId)).toEqual(['a2']);
  });

  it('should open one stuck_action escalation for an unfinished action, resolve it on the late terminal event, and publish nothing more on redelivery', async () => {
    const { service, published } = setup({ rules: { stuck_action: { deadlineMs: 1_000 } } });
    const t = randomUUID();
    const attempt = anActionEvent(t, { type: 'action.attempted', actionId: 'a1', sessionId: 's', occurredAt: new Date(Date.now() - 5_000).toISOString() });
    await service.handleActionBatch(batch(attempt, { ...attempt, eventId: randomUUID(), type: 'action.confirmed' }));
    const due = (await store.dueTimers(Date.now(), 10_000)).filter((d) => d.tenantId === t);
    expect(due.map((d) => [d.kind, d.eventId])).toEqual([['stuck', attempt.eventId]]);
    await service.handleDueTimer(due[0]);
    await service.handleDueTimer(due[0]);
    expect(published.map((p) => p.type)).toEqual(['escalation.opened', 'escalation.opened']);
    expect(published[1]).toEqual({ ...published[0], occurredAt: expect.any(String) });
    expect(published[0]).toMatchObject({ reason: 'stuck_action', sessionId: 's', actionId: 'a1', triggeringEventIds: [attempt.eventId] });
    const escalationId = published[0].escalationId;

    const executed = anActionEvent(t, { type: 'action.executed', actionId: 'a1', sessionId: 's' });
    await service.handleActionBatch(batch(executed));
    expect(published.slice(2)).toEqual([expect.objectContaining({ type: 'escalation.resolved', escalationId, sessionId: 's', resolvedBy: 'system:watchdog' })]);
    await service.handleActionBatch(batch(executed, { ...executed, eventId: randomUUID(), type: 'action.cancelled' }));
    expect(published).toHaveLength(3);
    expect(await redis.exists(`${prefix}:open:${t}:s:stuck_action:a1`)).toBe(0);
    // The watchdog's steps are idempotent on the action: the attempt and the executed event left no seen mark.
    expect(await redis.exists(`${prefix}:seen:${t}:${attempt.eventId}`, `${prefix}:seen:${t}:${executed.eventId}`)).toBe(0);
  });
});
