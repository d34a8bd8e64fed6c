import { Inject, Injectable } from '@nestjs/common';
import { DataSource, TenantEntity } from '@agent-ledger/persistence';
import { INGEST_SETTINGS, type IngestSettings } from './ingest.settings';

/** A tenant's extra redaction patterns, cached briefly (they change rarely; ingest is hot). */
@Injectable()
export class TenantRedactionRepository {
  private readonly cache = new Map<string, { patterns: string[]; expiresAt: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INGEST_SETTINGS) private readonly settings: IngestSettings,
  ) {}

  async patternsOf(tenantId: string): Promise<string[]> {
    const now = Date.now();
    const hit = this.cache.get(tenantId);
    if (hit && hit.expiresAt > now) return hit.patterns;
    const row = await this.dataSource.getRepository(TenantEntity).findOne({ where: { id: tenantId }, select: { id: true, redactionPatterns: true } });
    const patterns = row?.redactionPatterns ?? [];
    this.cache.set(tenantId, { patterns, expiresAt: now + this.settings.tenantCacheTtlMs });
    return patterns;
  }
}
