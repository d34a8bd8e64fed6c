import { resolveAuthOptions } from '@agent-ledger/auth';
import type { DataSource } from '@agent-ledger/persistence';
import { ApiError } from '@agent-ledger/runtime';
import type { IngestSettings } from './ingest.settings';
import { TenantRedactionRepository } from './tenant-redaction.repository';

/** The tenants table as the repository sees it, with an outage switch. */
function fakeDataSource(patterns: Record<string, string[]>) {
  const state = { down: false, loads: 0 };
  const dataSource = {
    getRepository: () => ({
      findOne: async ({ where }: { where: { id: string } }) => {
        state.loads++;
        if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return where.id in patterns ? { id: where.id, redactionPatterns: patterns[where.id] } : null;
      },
    }),
  };
  return { state, dataSource: dataSource as unknown as DataSource };
}

const settings = { tenantCacheTtlMs: 0 } as IngestSettings;

describe(TenantRedactionRepository.name, () => {
  it('should use the last known patterns when PostgreSQL is down', async () => {
    const { state, dataSource } = fakeDataSource({ t1: ['sk-[a-z]+'] });
    const repo = new TenantRedactionRepository(dataSource, settings, resolveAuthOptions({}));
    expect(await repo.patternsOf('t1')).toEqual(['sk-[a-z]+']);
    state.down = true;
    expect(await repo.patternsOf('t1')).toEqual(['sk-[a-z]+']);
    expect(state.loads).toBe(2);
  });

  it('should answer 503 tenant_settings_unavailable with Retry-After when PostgreSQL is down and the tenant was never read', async () => {
    const { state, dataSource } = fakeDataSource({ t1: [] });
    const repo = new TenantRedactionRepository(dataSource, settings, resolveAuthOptions({}));
    state.down = true;
    const err = await repo.patternsOf('t1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 503, code: 'tenant_settings_unavailable', headers: { 'Retry-After': expect.stringMatching(/^\d+$/) } });
  });

  it('should answer 503 when PostgreSQL is down past the stale bound', async () => {
    jest.useFakeTimers();
    try {
      const { state, dataSource } = fakeDataSource({ t1: ['x'] });
      const repo = new TenantRedactionRepository(dataSource, settings, resolveAuthOptions({ staleMs: 60_000 }));
      await repo.patternsOf('t1');
      state.down = true;
      jest.advanceTimersByTime(60_001);
      await expect(repo.patternsOf('t1')).rejects.toMatchObject({ status: 503 });
    } finally {
      jest.useRealTimers();
    }
  });
});
