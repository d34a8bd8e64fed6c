import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { stackEnv } from '@agent-ledger/testing';
import { EscalationStore } from './escalation.store';
import { RedisRoundTrip, single, type Answer } from './redis-round-trip';
import { WindowStore } from './window.store';
import type { WorkerSettings } from './worker-settings';

const MIN = 60_000;
const T0 = Date.parse('2026-01-01T10:00:00Z');

/** The worker's Lua windows on the stack's real Redis, each test under its own key prefix. */
describe(WindowStore.name, () => {
  const redis = new Redis(stackEnv().redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  const prefix = `test:windows:${randomUUID()}`;
  const settings: WorkerSettings = { groupId: 'g', sessionTimeoutMs: 10_000, redisPrefix: prefix, timerPollMs: 1_000, settingsCacheMs: 0 };
  const windows = new WindowStore(redis, settings);
  const store = new EscalationStore(redis, settings);
  const tenant = () => randomUUID();
  const id = () => randomUUID();
  /** One command in a round trip of its own. */
  const one = <T>(queue: (rt: RedisRoundTrip) => Answer<T>) => single(redis, queue);

  beforeAll(() => redis.connect());
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  describe('count', () => {
    it('should count an event once by id and only events within the window up to it', async () => {
      const w = `tfail:${tenant()}`;
      const a = id();
      expect(await one((rt) => windows.count(rt, w, a, T0, MIN, 100))).toBe(1);
      expect(await one((rt) => windows.count(rt, w, a, T0, MIN, 100))).toBe(1);
      expect(await one((rt) => windows.count(rt, w, id(), T0 + 30_000, MIN, 100))).toBe(2);
      expect(await one((rt) => windows.count(rt, w, id(), T0 + MIN, MIN, 100))).toBe(3);
      // T0 falls out of the window ending at T0 + 61 s.
      expect(await one((rt) => windows.count(rt, w, id(), T0 + MIN + 1_000, MIN, 100))).toBe(3);
    });

    it('should keep at most the cap, the newest by occurredAt', async () => {
      const w = `tchange:${tenant()}`;
      for (let i = 0; i < 5; i++) await one((rt) => windows.count(rt, w, id(), T0 + i, MIN, 3));
      expect(await redis.zcard(`${prefix}:${w}`)).toBe(3);
      expect((await redis.zrange(`${prefix}:${w}`, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number)).toEqual([T0 + 2, T0 + 3, T0 + 4]);
    });
  });

  describe('errorRate', () => {
    it('should count failed and finished actions of the window, each event once', async () => {
      const t = tenant();
      const f1 = id();
      expect(await one((rt) => windows.errorRate(rt, t, f1, T0, MIN, 100, true))).toEqual({ failed: 1, finished: 1 });
      expect(await one((rt) => windows.errorRate(rt, t, f1, T0, MIN, 100, true))).toEqual({ failed: 1, finished: 1 });
      expect(await one((rt) => windows.errorRate(rt, t, id(), T0 + 1_000, MIN, 100, false))).toEqual({ failed: 1, finished: 2 });
      expect(await one((rt) => windows.errorRate(rt, t, id(), T0 + 2_000, MIN, 100, true))).toEqual({ failed: 2, finished: 3 });
      expect(await one((rt) => windows.errorRate(rt, t, id(), T0 + MIN + 500, MIN, 100, false))).toEqual({ failed: 1, finished: 3 });
    });

    it('should take the rate over the kept stretch when the cap drops the oldest finished actions', async () => {
      const t = tenant();
      // Two failures first, then executed ones: with a cap of 3 the failures fall out with their finished entries.
      await one((rt) => windows.errorRate(rt, t, id(), T0, MIN, 3, true));
      await one((rt) => windows.errorRate(rt, t, id(), T0 + 1, MIN, 3, true));
      await one((rt) => windows.errorRate(rt, t, id(), T0 + 2, MIN, 3, false));
      await one((rt) => windows.errorRate(rt, t, id(), T0 + 3, MIN, 3, false));
      expect(await one((rt) => windows.errorRate(rt, t, id(), T0 + 4, MIN, 3, false))).toEqual({ failed: 0, finished: 3 });
    });
  });

  describe('latencySamples', () => {
    it('should return the durations of the window, a sample once, the newest cap kept', async () => {
      const t = tenant();
      const a = id();
      expect(await one((rt) => windows.latencySamples(rt, t, 'crm', a, 300, T0, MIN, 3))).toEqual([300]);
      expect(await one((rt) => windows.latencySamples(rt, t, 'crm', a, 300, T0, MIN, 3))).toEqual([300]);
      expect(await one((rt) => windows.latencySamples(rt, t, 'other', id(), 9, T0, MIN, 3))).toEqual([9]);
      await one((rt) => windows.latencySamples(rt, t, 'crm', id(), 100, T0 + 1, MIN, 3));
      await one((rt) => windows.latencySamples(rt, t, 'crm', id(), 200, T0 + 2, MIN, 3));
      expect((await one((rt) => windows.latencySamples(rt, t, 'crm', id(), 400, T0 + 3, MIN, 3))).sort()).toEqual([100, 200, 400]);
      expect(await one((rt) => windows.latencySamples(rt, t, 'crm', id(), 50, T0 + 2 * MIN, MIN, 3))).toEqual([50]);
    });
  });

  describe('crossing', () => {
    it('should answer true once when the condition starts to hold, again for the same event, and again only after it stopped holding', async () => {
      const t = tenant();
      const [a, b, c, d, e] = [id(), id(), id(), id(), id()];
      expect(await one((rt) => windows.crossing(rt, t, 'r', a, T0, false, MIN))).toBe(false);
      expect(await one((rt) => windows.crossing(rt, t, 'r', b, T0 + 1, true, MIN))).toBe(true);
      expect(await one((rt) => windows.crossing(rt, t, 'r', c, T0 + 2, true, MIN))).toBe(false);
      // The crossing event handled again (redelivery) is a crossing again.
      expect(await one((rt) => windows.crossing(rt, t, 'r', b, T0 + 1, true, MIN))).toBe(true);
      // A late event that no longer holds does not clear a condition that held after it.
      expect(await one((rt) => windows.crossing(rt, t, 'r', id(), T0 - 5, false, MIN))).toBe(false);
      expect(await one((rt) => windows.crossing(rt, t, 'r', d, T0 + 3, true, MIN))).toBe(false);
      expect(await one((rt) => windows.crossing(rt, t, 'r', id(), T0 + 4, false, MIN))).toBe(false);
      expect(await one((rt) => windows.crossing(rt, t, 'r', e, T0 + 5, true, MIN))).toBe(true);
    });

    it('should count a condition that last held more than a window ago as a new crossing', async () => {
      const t = tenant();
      expect(await one((rt) => windows.crossing(rt, t, 'r', id(), T0, true, MIN))).toBe(true);
      expect(await one((rt) => windows.crossing(rt, t, 'r', id(), T0 + MIN, true, MIN))).toBe(false);
      expect(await one((rt) => windows.crossing(rt, t, 'r', id(), T0 + 2 * MIN + 1, true, MIN))).toBe(true);
    });
  });

  describe('sessionActivity', () => {
    it('should fire the long rule on the first event past the bound, counted by occurredAt, once', async () => {
      const t = tenant();
      const late = id();
      expect((await one((rt) => windows.sessionActivity(rt, t, 's', id(), T0 + MIN, MIN, -1))).longTrigger).toBeUndefined();
      expect((await one((rt) => windows.sessionActivity(rt, t, 's', id(), T0 + 30_000, MIN, -1))).longTrigger).toBeUndefined();
      // An event arriving late for the session's start: the span is now 60 s + 1 ms.
      const a = await one((rt) => windows.sessionActivity(rt, t, 's', late, T0 - 1, MIN, -1));
      expect(a).toMatchObject({ firstAt: T0 - 1, lastAt: T0 + MIN, longTrigger: late });
      expect((await one((rt) => windows.sessionActivity(rt, t, 's', id(), T0 + 5 * MIN, MIN, -1))).longTrigger).toBe(late);
      expect((await one((rt) => windows.sessionActivity(rt, t, 's', late, T0 - 1, MIN, -1))).longTrigger).toBe(late);
    });

    it('should fire the size rule on the event past maxEvents, each event id counted once, once per session', async () => {
      const t = tenant();
      const first = id();
      await one((rt) => windows.sessionActivity(rt, t, 's', first, T0, -1, 3));
      await one((rt) => windows.sessionActivity(rt, t, 's', first, T0, -1, 3));
      await one((rt) => windows.sessionActivity(rt, t, 's', id(), T0, -1, 3));
      expect(await one((rt) => windows.sessionActivity(rt, t, 's', id(), T0, -1, 3))).toMatchObject({ events: 3, complexTrigger: undefined });
      const fourth = id();
      expect(await one((rt) => windows.sessionActivity(rt, t, 's', fourth, T0, -1, 3))).toMatchObject({ events: 4, complexTrigger: fourth });
      expect(await one((rt) => windows.sessionActivity(rt, t, 's', id(), T0, -1, 3))).toMatchObject({ complexTrigger: fourth });
      expect(await redis.exists(`${prefix}:session:${t}:s:ids`)).toBe(0);
      expect((await one((rt) => windows.sessionActivity(rt, t, 'other', id(), T0, -1, 3))).complexTrigger).toBeUndefined();
    });
  });

  describe('openOrFold with a throttle (tenant alerts)', () => {
    it('should fold within the cooldown from the opening, open anew after it, and suppress after a resolve within it', async () => {
      const t = tenant();
      const open = (trigger: string, now: number, cooldown = 1_000) => one((rt) => store.openOrFold(rt, t, 'tenant:tenant_failure_burst', 'tenant_failure_burst', randomUUID(), trigger, now, cooldown, true));
      const first = await open('a', 1_000);
      expect(first.outcome).toBe('opened');
      // Repeats keep coming (each refreshes lastSeenAt), yet the cooldown counts from the opening.
      expect((await open('b', 1_600)).outcome).toBe('folded');
      expect(await open('c', 1_990)).toMatchObject({ outcome: 'folded', count: 3, escalationId: first.escalationId });
      const next = await open('d', 2_100);
      expect(next).toMatchObject({ outcome: 'opened', staleEscalationId: first.escalationId });
      expect(await store.applyStatus(next.escalationId, 'resolved')).toBe(true);
      expect(await open('e', 2_200, 60_000)).toMatchObject({ outcome: 'suppressed', escalationId: next.escalationId });
    });

    it('should keep folding a session escalation while repeats keep coming (cooldown from the latest trigger)', async () => {
      const t = tenant();
      const open = (trigger: string, now: number) => one((rt) => store.openOrFold(rt, t, 's', 'customer_request', randomUUID(), trigger, now, 1_000));
      expect((await open('a', 1_000)).outcome).toBe('opened');
      expect((await open('b', 1_900)).outcome).toBe('folded');
      expect((await open('c', 2_800)).outcome).toBe('folded');
      expect((await open('d', 4_000)).outcome).toBe('opened');
    });
  });
});
