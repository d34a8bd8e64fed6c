import type { Redis } from 'ioredis';
import { ApiError } from '@agent-ledger/runtime';
import { resolveAuthOptions, type AuthRateLimits } from './auth.options';
import { RequestRateLimits } from './request-rate-limits';

/** Redis as the token bucket script sees it: answers {allowed, wait ms} from a queue and records the calls. */
function fakeRedis(answers: [number, number][]) {
  const calls: { key: string; args: number[] }[] = [];
  const redis = {
    status: 'ready',
    evalsha: async (_sha: string, _keys: number, key: string, ...args: number[]) => {
      calls.push({ key, args });
      return answers.shift() ?? [1, 0];
    },
  };
  return { redis: redis as unknown as Redis, calls };
}

const limits: AuthRateLimits = {
  service: 'ingest',
  perKey: { perSecond: 100, burst: 1_000 },
  cost: (req) => ((req.body as { events?: unknown[] })?.events?.length ?? 1),
  failedAuthPerIp: { perSecond: 2, burst: 10 },
};

describe(RequestRateLimits.name, () => {
  it('should take the request cost from the key bucket and throw 429 rate_limited with Retry-After when it is empty', async () => {
    const { redis, calls } = fakeRedis([[1, 0], [0, 2_300]]);
    const rl = new RequestRateLimits(redis, resolveAuthOptions({ rateLimits: limits }));
    await rl.charge('key-1', { headers: {}, body: { events: [1, 2, 3] } });
    expect(calls[0]).toEqual({ key: 'agent-ledger:rate:ingest:key:key-1', args: [100, 1_000, 3] });
    const err = await rl.charge('key-1', { headers: {}, body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', headers: { 'Retry-After': '3' } });
  });

  it('should answer 429 for the failed authentication that empties the address bucket and block the address until Retry-After', async () => {
    const { redis, calls } = fakeRedis([[1, 0], [0, 1_000]]);
    const rl = new RequestRateLimits(redis, resolveAuthOptions({ rateLimits: limits }));
    expect(await rl.failed('10.0.0.1')).toBeUndefined();
    expect(rl.blockedFor('10.0.0.1')).toBe(0);
    expect(await rl.failed('10.0.0.1')).toMatchObject({ status: 429, code: 'rate_limited', field: 'Authorization', headers: { 'Retry-After': '1' } });
    expect(rl.blockedFor('10.0.0.1')).toBe(1);
    expect(rl.blockedFor('10.0.0.2')).toBe(0);
    expect(calls.map((c) => c.key)).toEqual(['agent-ledger:rate:ingest:failed-auth:10.0.0.1', 'agent-ledger:rate:ingest:failed-auth:10.0.0.1']);
  });

  it('should limit nothing when the service configured no rate limits', async () => {
    const { redis, calls } = fakeRedis([[0, 5_000]]);
    const rl = new RequestRateLimits(redis, resolveAuthOptions({}));
    await rl.charge('key-1', { headers: {} });
    expect(await rl.failed('10.0.0.1')).toBeUndefined();
    expect(calls).toHaveLength(0);
  });
});
