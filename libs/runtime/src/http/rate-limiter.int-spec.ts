import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { stackEnv } from '@agent-ledger/testing';
import { RateLimiter } from './rate-limiter';

describe(RateLimiter.name, () => {
  const redis = new Redis(stackEnv().redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  const limiter = new RateLimiter(redis, `test:rate:${randomUUID()}:`);

  beforeAll(() => redis.connect());
  afterAll(() => redis.quit());

  it('should allow a burst and then refuse with the seconds until a token is back when the bucket is empty', async () => {
    const limit = { perSecond: 1, burst: 3 };
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await limiter.take('burst', 'k1', limit));
    expect(answers.map((a) => a.allowed)).toEqual([true, true, true, false]);
    expect(answers[3].retryAfterSeconds).toBe(1);
  });

  it('should refill by the time elapsed when the caller waited', async () => {
    const limit = { perSecond: 20, burst: 2 };
    await limiter.take('refill', 'k', limit, 2);
    expect((await limiter.take('refill', 'k', limit)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 120));
    expect((await limiter.take('refill', 'k', limit)).allowed).toBe(true);
  });

  it('should weigh a request by n and keep buckets of different ids apart', async () => {
    const limit = { perSecond: 100, burst: 1_000 };
    expect((await limiter.take('weight', 'a', limit, 800)).allowed).toBe(true);
    const refused = await limiter.take('weight', 'a', limit, 800);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 6 });
    expect((await limiter.take('weight', 'b', limit, 800)).allowed).toBe(true);
  });

  it('should let the bucket key expire when it would be full again', async () => {
    await limiter.take('expiry', 'k', { perSecond: 10, burst: 5 });
    const ttl = await redis.pttl(`${(limiter as unknown as { prefix: string }).prefix}expiry:k`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_100);
  });

  it('should allow every request when the limit is 0 (disabled)', async () => {
    for (let i = 0; i < 5; i++) expect((await limiter.take('off', 'k', { perSecond: 0, burst: 0 })).allowed).toBe(true);
  });

  it('should fail open when Redis is not connected', async () => {
    const offline = new Redis(stackEnv().redisUrl, { lazyConnect: true });
    const decision = await new RateLimiter(offline).take('offline', 'k', { perSecond: 1, burst: 1 }, 5);
    expect(decision.allowed).toBe(true);
    offline.disconnect();
  });
});
