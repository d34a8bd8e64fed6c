import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { stackEnv } from '@agent-ledger/testing';
import { EscalationStore } from './escalation.store';
import { WindowStore } from './window.store';
import type { WorkerSettings } from './worker-settings';

const MIN = 60_000;
const T0 = Date.parse('2026-01-01T10:00:00Z');

/** A batch's round trip on the stack's real Redis, under a key prefix of its own. */
describe(EscalationStore.name, () => {
  const redis = new Redis(stackEnv().redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  const prefix = `test:store:${randomUUID()}`;
  const settings: WorkerSettings = { groupId: 'g', sessionTimeoutMs: 10_000, redisPrefix: prefix, timerPollMs: 1_000, settingsCacheMs: 0 };
  const store = new EscalationStore(redis, settings);
  const windows = new WindowStore(redis, settings);
  const tenant = () => randomUUID();

  beforeAll(() => redis.connect());
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('should answer every command of a round trip in order, each seeing the ones queued before it', async () => {
    const t = tenant();
    const rt = store.roundTrip();
    const counts = [0, 1, 2].map((i) => windows.count(rt, `fail:${t}:s`, `e${i}`, T0 + i, MIN, 100));
    const again = windows.count(rt, `fail:${t}:s`, 'e1', T0 + 1, MIN, 100);
    expect(() => counts[0]()).toThrow('the round trip has not run yet');
    await rt.run();
    expect([...counts.map((c) => c()), again()]).toEqual([1, 2, 3, 2]);
    await expect(rt.run()).rejects.toThrow('already run');
  });

  it('should fail the round trip with the error of a failing command', async () => {
    const rt = store.roundTrip();
    rt.add((p) => p.set(`${prefix}:plain`, 'x'), () => undefined);
    rt.add((p) => p.incr(`${prefix}:plain`), Number);
    await expect(rt.run()).rejects.toThrow(/not an integer/);
  });

  it('should tell a processed event once it is marked', async () => {
    const t = tenant();
    const before = store.roundTrip();
    const seen = store.alreadyProcessed(before, t, 'e1');
    store.markProcessed(before, t, 'e1');
    const after = store.alreadyProcessed(before, t, 'e1');
    await before.run();
    expect([seen(), after()]).toEqual([false, true]);
  });

  it('should schedule a confirmation timer once, and not for a processed event or a decided action', async () => {
    const t = tenant();
    const timer = (actionId: string, eventId: string) => ({ tenantId: t, actionId, sessionId: 's', eventId });
    const rt = store.roundTrip();
    const first = store.scheduleTimer(rt, timer('a1', 'e1'), T0);
    const repeat = store.scheduleTimer(rt, timer('a1', 'e1'), T0);
    store.markDecided(rt, t, 'a2');
    const decided = store.scheduleTimer(rt, timer('a2', 'e2'), T0);
    store.markProcessed(rt, t, 'e3');
    const processed = store.scheduleTimer(rt, timer('a3', 'e3'), T0);
    await rt.run();
    expect([first(), repeat(), decided(), processed()]).toEqual([true, false, false, false]);
    expect((await store.dueTimers(T0, 100)).filter((d) => d.tenantId === t).map((d) => [d.actionId, d.eventId])).toEqual([['a1', 'e1']]);
    expect(await store.isDecided(t, 'a2')).toBe(true);
  });

  it('should open once and fold the next trigger when both are queued in one round trip, and answer a repeated trigger as a duplicate', async () => {
    const t = tenant();
    const rt = store.roundTrip();
    const open = (trigger: string) => store.openOrFold(rt, t, 's', 'customer_request', `esc-${trigger}`, trigger, T0, MIN);
    const [a, b, again] = [open('a'), open('b'), open('a')];
    await rt.run();
    expect(a()).toMatchObject({ outcome: 'opened', escalationId: 'esc-a', count: 1 });
    expect(b()).toMatchObject({ outcome: 'folded', escalationId: 'esc-a', count: 2 });
    expect(again()).toMatchObject({ outcome: 'duplicate', escalationId: 'esc-a', firstTrigger: 'a' });
  });
});
