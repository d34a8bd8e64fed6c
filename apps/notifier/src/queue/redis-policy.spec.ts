import { judgeEvictionPolicy } from './redis-policy';

describe('judgeEvictionPolicy', () => {
  it('should accept the policy when it is noeviction', () => {
    expect(judgeEvictionPolicy('noeviction', false)).toMatchObject({ ok: true, level: 'info' });
  });

  it('should refuse an evicting policy when eviction is not allowed and warn when it is', () => {
    expect(judgeEvictionPolicy('allkeys-lru', false)).toMatchObject({ ok: false, level: 'fatal', message: expect.stringContaining('allkeys-lru, not noeviction') });
    expect(judgeEvictionPolicy('volatile-ttl', true)).toMatchObject({ ok: true, level: 'warn' });
  });

  it('should warn but run when the policy cannot be read', () => {
    expect(judgeEvictionPolicy(undefined, false)).toMatchObject({ ok: true, level: 'warn' });
  });
});
