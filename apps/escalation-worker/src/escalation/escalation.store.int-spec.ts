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
    const timer = (actionId: string, eventId: string) => ({ kind: 'confirmation' as const, tenantId: t, actionId, sessionId: 's', eventId });
    const rt = store.roundTrip();
    const first = store.scheduleTimer(rt, timer('a1', 'e1'), T0);
    const repeat = store.scheduleTimer(rt, timer('a1', 'e1'), T0);
    store.markDecided(rt, t, 'a2');
    const decided = store.scheduleTimer(rt, timer('a2', 'e2'), T0);
    store.markProcessed(rt, t, 'e3');
    const processed = store.scheduleTimer(rt, timer('a3', 'e3'), T0);
    await rt.run();
    expect([first(), repeat(), decided(), processed()]).toEqual([true, false, false, false]);
    expect((await store.dueTimers(T0, 100)).filter((d) => d.tenantId === t).map((d) => [d.kind, d.actionId, d.eventId])).toEqual([['confirmation', 'a1', 'e1']]);
    expect(await store.isDecided(t, 'a2')).toBe(true);
  });

  it('should read a confirmation timer scheduled in the layout it had before timer kinds', async () => {
    const t = tenant();
    await redis.zadd(`${prefix}:timers`, T0 - 1, JSON.stringify([t, 'a0', 's', 'e0']));
    expect((await store.dueTimers(T0, 100)).filter((d) => d.tenantId === t)).toEqual([expect.objectContaining({ kind: 'confirmation', actionId: 'a0', sessionId: 's', eventId: 'e0' })]);
  });

  describe('stuck timers', () => {
    const stuck = (t: string, actionId: string, eventId: string) => ({ kind: 'stuck' as const, tenantId: t, actionId, sessionId: 's', eventId, tool: 'wire_money (critical)', deadlineMs: 3_000 });
    const mine = async (t: string) => (await store.dueTimers(Number.MAX_SAFE_INTEGER, 10_000)).filter((d) => d.tenantId === t);
    const schedule = async (t: string, actionId: string, eventId: string, due: number, replaces: boolean) => {
      const rt = store.roundTrip();
      const ok = store.scheduleTimer(rt, stuck(t, actionId, eventId), due, replaces);
      await rt.run();
      return ok();
    };

    it('should keep one timer per action: an attempt replaces a confirmation timer, a confirmation never replaces, and carry tool and deadline', async () => {
      const t = tenant();
      expect(await schedule(t, 'a1', 'confirm', T0 + 5, false)).toBe(true);
      expect(await schedule(t, 'a1', 'attempt', T0 + 1, true)).toBe(true);
      expect(await schedule(t, 'a1', 'confirm-2', T0 + 9, false)).toBe(false);
      expect(await mine(t)).toEqual([expect.objectContaining({ kind: 'stuck', actionId: 'a1', eventId: 'attempt', sessionId: 's', tool: 'wire_money (critical)', deadlineMs: 3_000 })]);
    });

    it('should not schedule for an action that finished before its attempt arrived (out of order)', async () => {
      const t = tenant();
      const rt = store.roundTrip();
      const none = store.finishAction(rt, t, 'a1');
      await rt.run();
      expect(none()).toBeUndefined();
      expect(await schedule(t, 'a1', 'attempt', T0, true)).toBe(false);
      expect(await mine(t)).toEqual([]);
    });

    it('should drop the pending timer when the action finishes', async () => {
      const t = tenant();
      await schedule(t, 'a1', 'attempt', T0, true);
      const rt = store.roundTrip();
      store.finishAction(rt, t, 'a1');
      await rt.run();
      expect(await mine(t)).toEqual([]);
      expect(await store.isFinished(t, 'a1')).toBe(true);
    });

    it('should never re-arm a fired timer, and answer its escalation to a terminal event while it is open, not after it was cleared', async () => {
      const t = tenant();
      await schedule(t, 'a1', 'attempt', T0, true);
      const [due] = await mine(t);
      const rt = store.roundTrip();
      const opened = store.openOrFold(rt, t, 's', 'stuck_action:a1', 'esc-1', 'attempt', T0, MIN);
      await rt.run();
      expect(opened()).toMatchObject({ outcome: 'opened', escalationId: 'esc-1' });
      expect(await store.completeTimer(due, { escalationId: 'esc-1', sessionId: 's' })).toBe(false);
      expect(await mine(t)).toEqual([]);
      expect(await schedule(t, 'a1', 'attempt-again', T0, true)).toBe(false);

      const finish = async () => {
        const f = store.roundTrip();
        const r = store.finishAction(f, t, 'a1');
        await f.run();
        return r();
      };
      expect(await finish()).toEqual({ escalationId: 'esc-1', sessionId: 's' });
      expect(await finish()).toEqual({ escalationId: 'esc-1', sessionId: 's' });
      const clear = store.roundTrip();
      store.clearOpen(clear, 'esc-1');
      await clear.run();
      expect(await finish()).toBeUndefined();
      expect(await redis.exists(`${prefix}:open:${t}:s:stuck_action:a1`)).toBe(0);
    });

    it('should tell the timer handler that the action finished while its escalation opened', async () => {
      const t = tenant();
      await schedule(t, 'a1', 'attempt', T0, true);
      const [due] = await mine(t);
      const rt = store.roundTrip();
      store.finishAction(rt, t, 'a1');
      await rt.run();
      expect(await store.completeTimer(due, { escalationId: 'esc-2', sessionId: 's' })).toBe(true);
    });
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
