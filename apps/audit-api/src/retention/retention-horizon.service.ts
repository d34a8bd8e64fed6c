import { Injectable } from '@nestjs/common';
import { RetentionRepository } from './retention.repository';
import { BeforeRetentionHorizonException } from './retention-horizon.exception';

/** At most this many archives are named in a 409 (the oldest first); GET /v1/retention lists the purges. */
const MAX_ARCHIVES = 100;

/**
 * The retention horizon of queries: an events, actions, stats or export query whose `from` lies
 * before the end of the tenant's newest purged period answers 409 with where the archives are,
 * instead of silently answering without the purged rows. Looked up once per request that gives
 * `from` (one indexed read), never cached across requests: a purge may move it at any time.
 */
@Injectable()
export class RetentionHorizon {
  constructor(private readonly repository: RetentionRepository) {}

  /** Throws 409 `before_retention_horizon` when `from` lies before the tenant's horizon; `field` names the parameter that set it. */
  async assertLive(tenantId: string, from: Date | undefined, field: 'from' | 'window' = 'from'): Promise<void> {
    if (!from) return;
    const found = await this.repository.transaction(tenantId, async (m) => {
      const horizon = await this.repository.horizon(m, tenantId);
      if (!horizon || from >= horizon) return undefined;
      return { horizon, archives: await this.repository.archivesAfter(m, tenantId, from, MAX_ARCHIVES) };
    });
    if (!found) return;
    throw new BeforeRetentionHorizonException(
      new Date(found.horizon),
      found.archives.map((a) => ({ object: String(a.object ?? ''), manifest: String(a.manifest ?? ''), location: String(a.location ?? '') })),
      field,
    );
  }
}
