import { Injectable } from '@nestjs/common';
import { DEFAULT_RETAIN_FOR, type RetentionPolicyView as PolicyView, type RetentionPurgeView as PurgeView, type RetentionView } from '@agent-ledger/contracts';
import { createLogger } from '@agent-ledger/telemetry';
import { ChangeRecorder, type ChangeContext } from '../change-log/change-recorder.service';
import type { PutRetentionDto } from './retention.dto';
import { RetentionRepository, type PolicyRow, type PurgeRow } from './retention.repository';
import type { EntityManager } from '@agent-ledger/persistence';

/** Purges GET /v1/retention lists, newest first. */
const LISTED_PURGES = 20;

/** A tenant's retention policy (how long events are kept, archiving, legal hold) and its purges. */
@Injectable()
export class RetentionService {
  private readonly log = createLogger(RetentionService.name);

  constructor(
    private readonly repository: RetentionRepository,
    private readonly changes: ChangeRecorder,
  ) {}

  async get(tenantId: string): Promise<RetentionView> {
    return this.repository.snapshot(tenantId, (m) => this.view(m, tenantId));
  }

  /**
   * Changes the fields given (the others keep their value, or the default) and records the change,
   * before and after, in the tenant's ledger in the same transaction.
   */
  async put(tenantId: string, dto: PutRetentionDto, ctx: ChangeContext): Promise<RetentionView> {
    const result = await this.repository.transaction(tenantId, async (m) => {
      let current = await this.repository.policy(m, tenantId, true);
      const merge = (p: PolicyView) => ({ retainFor: dto.retainFor ?? p.retainFor, archive: dto.archive ?? p.archive, legalHold: dto.legalHold ?? p.legalHold });
      let before = toPolicy(current);
      if (!current) {
        const created = await this.repository.insertPolicy(m, tenantId, merge(before));
        // Another request created the policy first (the insert waited for it): change that one.
        if (!created) before = toPolicy((current = await this.repository.policy(m, tenantId, true)));
      }
      if (current) await this.repository.updatePolicy(m, tenantId, merge(before));
      const view = await this.view(m, tenantId);
      await this.changes.record(m, ctx, {
        tenantId,
        resource: { type: 'retention_policy', id: tenantId },
        action: 'retention_policy.updated',
        before,
        after: view.policy,
      });
      return view;
    });
    this.changes.flushSoon();
    this.log.info({ tenantId, retainFor: result.policy.retainFor, archive: result.policy.archive, legalHold: result.policy.legalHold }, 'retention policy updated');
    return result;
  }

  private async view(m: EntityManager, tenantId: string): Promise<RetentionView> {
    const policy = toPolicy(await this.repository.policy(m, tenantId));
    const horizon = await this.repository.horizon(m, tenantId);
    const purges = await this.repository.purges(m, tenantId, LISTED_PURGES);
    return { policy, horizon: iso(horizon), purges: purges.map(toPurge) };
  }
}

const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

function toPolicy(row: PolicyRow | undefined): PolicyView {
  if (!row) return { retainFor: DEFAULT_RETAIN_FOR, archive: true, legalHold: false, updatedAt: null, default: true };
  return { retainFor: row.retainFor, archive: row.archive, legalHold: row.legalHold, updatedAt: iso(row.updatedAt), default: false };
}

function toPurge(p: PurgeRow): PurgeView {
  const a = p.archive;
  return {
    purgeId: p.purgeId,
    ordinal: p.ordinal,
    state: p.state,
    events: Number(p.events),
    horizon: iso(p.horizon)!,
    recordedFrom: iso(p.recordedFrom),
    recordedTo: iso(p.recordedTo),
    createdAt: iso(p.createdAt)!,
    purgedAt: iso(p.purgedAt),
    archive: a ? { location: String(a.location ?? ''), object: String(a.object ?? ''), manifest: String(a.manifest ?? ''), sha256: String(a.sha256 ?? ''), bytes: Number(a.bytes ?? 0) } : null,
  };
}
