import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, CachedLookup, LookupUnavailableException, type AuthOptions } from '@agent-ledger/auth';
import { DataSource, TenantEntity } from '@agent-ledger/persistence';
import { ApiError } from '@agent-ledger/runtime';
import { INGEST_SETTINGS, type IngestSettings } from './ingest.settings';

/** Retry-After of a 503 tenant_settings_unavailable. */
const RETRY_AFTER_SECONDS = 5;

/**
 * A tenant's extra redaction patterns, cached for INGEST_TENANT_CACHE_TTL_MS (they change rarely;
 * ingest is hot). While PostgreSQL is unreachable the last known patterns are used for as long as the
 * tenant's API keys may be honoured (AuthOptions.staleMs); with none known the request is answered
 * 503 tenant_settings_unavailable: an event is never published without its tenant's redaction.
 */
@Injectable()
export class TenantRedactionRepository {
  private readonly lookup: CachedLookup<string[]>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INGEST_SETTINGS) settings: IngestSettings,
    @Inject(AUTH_OPTIONS) auth: AuthOptions,
  ) {
    this.lookup = new CachedLookup((tenantId) => this.load(tenantId), {
      name: 'tenant-redaction',
      freshMs: settings.tenantCacheTtlMs,
      staleMs: auth.staleMs,
      loadTimeoutMs: auth.lookupTimeoutMs,
    });
  }

  async patternsOf(tenantId: string): Promise<string[]> {
    try {
      return (await this.lookup.get(tenantId)) ?? [];
    } catch (err) {
      if (!(err instanceof LookupUnavailableException)) throw err;
      throw ApiError.unavailable('tenant_settings_unavailable', "the tenant's redaction settings cannot be read right now (the database is unreachable); retry later with the same eventIds", RETRY_AFTER_SECONDS);
    }
  }

  private async load(tenantId: string): Promise<string[]> {
    const row = await this.dataSource.getRepository(TenantEntity).findOne({ where: { id: tenantId }, select: { id: true, redactionPatterns: true } });
    return row?.redactionPatterns ?? [];
  }
}
