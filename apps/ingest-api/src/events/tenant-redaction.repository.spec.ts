import { resolveAuthOptions } from '@agent-ledger/auth';
import type { DataSource } from '@agent-ledger/persistence';
import { ApiError } from '@agent-ledger/runtime';
import type { IngestSettings } from './ingest.settings';
import { TenantRedactionRepository } from './tenant-redaction.repository';

/** The redaction_settings table as the repository sees it (key patterns only), with an outage switch. */
function fakeDataSource(patterns: Record<string, string[]>) {
  const state = { down: false, loads: 0 };
  const dataSource = {
    query: async (_sql: string, [tenantId]: string[]) => {
      state.loads++;
      if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return tenantId in patterns ? [{ keyPatterns: patterns[tenantId], valuePatterns: ['EMP-[0-9]+', '(a)\\1'], freeTextPii: 'redact', phoneRegion: null }] : [];
    },
  };
  return { state, dataSource: dataSource as unknown as DataSource };
}

const keysOf = async (repo: TenantRedactionRepository, tenantId: string) => (await repo.settingsOf(tenantId)).keyPatterns;

const settings = { tenantCacheTtlMs: 0 } as IngestSettings;

describe(TenantRedactionRepository.name, () => {
  it('should apply the stored free-text mode and skip a stored value pattern RE2 refuses', async () => {
    const { dataSource } = fakeDataSource({ t1: [] });
    const repo = new TenantRedactionRepository(dataSource, settings, resolveAuthOptions({}));
    const { freeText } = await repo.settingsOf('t1');
    const text = 'EMP-42 wrote to a@example.com';
    expect(freeText.mode).toBe('redact');
    expect(freeText.spans(text).map((s) => [s.kind, text.slice(s.start, s.end)])).toEqual([
      ['pattern', 'EMP-42'],
      ['email', 'a@example.com'],
    ]);
  });

  it('should apply the defaults (mode off, no patterns) when the tenant has no settings row', async () => {
    const { dataSource } = fakeDataSource({});
    const { keyPatterns, freeText } = await new TenantRedactionRepository(dataSource, settings, resolveAuthOptions({})).settingsOf('t9');
    expect(keyPatterns).toEqual([]);
    expect(freeText.inert).toBe(true);
  });

  it('should use the last known patterns when PostgreSQL is down', async () => {
    const { state, dataSource } = fakeDataSource({ t1: ['sk-[a-z]+'] });
    const repo = new TenantRedactionRepository(dataSource, settings, resolveAuthOptions({}));
    expect(await keysOf(repo, 't1')).toEqual(['sk-[a-z]+']);
    state.down = true;
    expect(await keysOf(repo, 't1')).toEqual(['sk-[a-z]+']);
    expect(state.loads).toBe(2);
  });

  it('should answer 503 tenant_settings_unavailable with Retry-After when PostgreSQL is down and the tenant was never read', async () => {
    const { state, dataSource } = fakeDataSource({ t1: [] });
    const repo = new TenantRedactionRepository(dataSource, settings, resolveAuthOptions({}));
    state.down = true;
    const err = await repo.settingsOf('t1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 503, code: 'tenant_settings_unavailable', headers: { 'Retry-After': expect.stringMatching(/^\d+$/) } });
  });

  it('should answer 503 when PostgreSQL is down past the stale bound', async () => {
    jest.useFakeTimers();
    try {
      const { state, dataSource } = fakeDataSource({ t1: ['x'] });
      const repo = new TenantRedactionRepository(dataSource, settings, resolveAuthOptions({ staleMs: 60_000 }));
      await repo.settingsOf('t1');
      state.down = true;
      jest.advanceTimersByTime(60_001);
      await expect(repo.settingsOf('t1')).rejects.toMatchObject({ status: 503 });
    } finally {
      jest.useRealTimers();
    }
  });
});
