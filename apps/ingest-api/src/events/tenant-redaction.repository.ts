import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, CachedLookup, LookupUnavailableException, type AuthOptions } from '@agent-ledger/auth';
import { checkValuePattern, DEFAULT_REDACTION_SETTINGS, FreeTextScanner, type FreeTextPiiMode, type RedactionSettings } from '@agent-ledger/contracts';
import { DataSource } from '@agent-ledger/persistence';
import { ApiError } from '@agent-ledger/runtime';
import { INGEST_SETTINGS, type IngestSettings } from './ingest.settings';

/** Retry-After of a 503 tenant_settings_unavailable. */
const RETRY_AFTER_SECONDS = 5;

/** A tenant's redaction settings as ingest applies them: key patterns, and free text compiled once per load. */
export interface TenantRedaction {
  keyPatterns: string[];
  freeText: FreeTextScanner;
}

interface SettingsRow {
  keyPatterns: string[];
  valuePatterns: string[];
  freeTextPii: FreeTextPiiMode;
  phoneRegion: string | null;
}

/**
 * A tenant's redaction settings (`redaction_settings`, set through audit-api's PUT /v1/redaction),
 * cached for INGEST_TENANT_CACHE_TTL_MS (they change rarely; ingest is hot): a change applies to
 * events received at most that long after it. While PostgreSQL is unreachable the last known
 * settings are used for as long as the tenant's API keys may be honoured (AuthOptions.staleMs); with
 * none known the request is answered 503 tenant_settings_unavailable: an event is never published
 * without its tenant's redaction.
 */
@Injectable()
export class TenantRedactionRepository {
  private readonly lookup: CachedLookup<TenantRedaction>;

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

  async settingsOf(tenantId: string): Promise<TenantRedaction> {
    try {
      return (await this.lookup.get(tenantId)) ?? compile(DEFAULT_REDACTION_SETTINGS);
    } catch (err) {
      if (!(err instanceof LookupUnavailableException)) throw err;
      throw ApiError.unavailable('tenant_settings_unavailable', "the tenant's redaction settings cannot be read right now (the database is unreachable); retry later with the same eventIds", RETRY_AFTER_SECONDS);
    }
  }

  private async load(tenantId: string): Promise<TenantRedaction> {
    const [row] = (await this.dataSource.query(
      `SELECT key_patterns AS "keyPatterns", value_patterns AS "valuePatterns", free_text_pii AS "freeTextPii", phone_region AS "phoneRegion"
         FROM redaction_settings WHERE tenant_id = $1`,
      [tenantId],
    )) as SettingsRow[];
    return compile(row ?? DEFAULT_REDACTION_SETTINGS);
  }
}

/**
 * Patterns were checked when they were set (PUT /v1/redaction); RE2 compiles each once here. A value
 * pattern written around the API that RE2 refuses is skipped rather than stopping the tenant's ingest.
 */
function compile(s: RedactionSettings | SettingsRow): TenantRedaction {
  const valuePatterns = s.valuePatterns.filter((p) => checkValuePattern(p).ok);
  return { keyPatterns: [...s.keyPatterns], freeText: new FreeTextScanner({ valuePatterns, freeTextPii: s.freeTextPii, phoneRegion: s.phoneRegion }) };
}
