import { Redis } from 'ioredis';
import { stackEnv, uniqueSuffix } from '@agent-ledger/testing';

describe('the stack Redis', () => {
  const redis = new Redis(stackEnv().redisUrl, { maxRetriesPerRequest: 1 });
  afterAll(() => redis.quit());

  it('should answer and persist with an append-only file when the stack is up', async () => {
    expect(await redis.ping()).toBe('PONG');
    const key = `stack-test:${uniqueSuffix()}`;
    await redis.set(key, 'v', 'EX', 30);
    expect(await redis.get(key)).toBe('v');
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  });
});
