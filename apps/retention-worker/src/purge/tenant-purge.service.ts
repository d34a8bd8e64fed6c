import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ArchiveStore } from '@agent-ledger/archive-store';
import type { RetentionRunResult } from '@agent-ledger/contracts';
import type { PurgeArchive, RetentionPurgedDetails } from '@agent-ledger/integrity';
import { counter, createLogger } from '@agent-ledger/telemetry';
import { buildArchive, manifestBytes } from '../archive/archive-writer';
import { ARCHIVE_STORE } from '../archive/archive-store.token';
import { PurgeRecordPublisher } from './purge-record.publisher';
import { PurgeRepository, type Deleted, type Purge } from './purge.repository';

/** What one tenant's run did (the job's return value; docs/retention.md). */
export type TenantRunResult = RetentionRunResult;

const purgedEvents = () => counter('ledger_retention_purged_events_total', 'Rows removed from audit_events by retention', ['archived']);

/**
 * One tenant's retention run, under the tenant's lock (two runners never work on one tenant):
 * resume an unfinished purge, else plan the next; then, each step recorded before the next,
 * archive (object, then manifest) → record `retention.purged` in the ledger → delete. A run that
 * dies anywhere is resumed by the next one from the step it reached; nothing is deleted before
 * the archive and the record exist, and the database refuses any row outside a recorded purge.
 */
@Injectable()
export class TenantPurgeService {
  private readonly log = createLogger(TenantPurgeService.name);

  constructor(
    private readonly repository: PurgeRepository,
    private readonly publisher: PurgeRecordPublisher,
    @Inject(ARCHIVE_STORE) private readonly store: ArchiveStore,
  ) {}

  /** One run of a tenant; `signal` aborted (shutdown) stops it between steps, to be resumed by the next run. */
  async run(tenantId: string, signal?: AbortSignal): Promise<TenantRunResult> {
    const result = await this.repository.withTenantLock(tenantId, () => this.runLocked(tenantId, signal));
    return result ?? { tenantId, outcome: 'busy' };
  }

  private async runLocked(tenantId: string, signal?: AbortSignal): Promise<TenantRunResult> {
    const policy = await this.repository.policy(tenantId);
    if (policy.legalHold) return { tenantId, outcome: 'legal_hold' };
    const purge = (await this.repository.unfinished(tenantId)) ?? (await this.repository.plan(tenantId, policy, { purgeId: randomUUID(), recordEventId: randomUUID() }));
    if (!purge) return { tenantId, outcome: 'nothing_to_purge' };
    return this.complete(purge, signal);
  }

  private async complete(purge: Purge, signal?: AbortSignal): Promise<TenantRunResult> {
    let current = purge;
    if (current.state === 'planned') current = await this.archive(current);
    signal?.throwIfAborted();
    if (current.state === 'archived') {
      await this.publisher.record(current.tenantId, current.recordEventId, await this.details(current), signal);
      signal?.throwIfAborted();
      await this.repository.markRecorded(current.purgeId);
      current = { ...current, state: 'recorded' };
    }
    let deleted: Deleted | undefined;
    if (current.state === 'recorded') {
      deleted = await this.repository.delete(current);
      purgedEvents().inc({ archived: String(current.archive !== null) }, deleted.events);
      this.log.info({ tenantId: current.tenantId, purgeId: current.purgeId, ordinal: current.ordinal, ...deleted, archive: current.archive?.object }, 'retention purge done');
    }
    return { tenantId: current.tenantId, outcome: 'purged', purgeId: current.purgeId, ordinal: current.ordinal, events: current.events, archive: current.archive, deleted };
  }

  /** Writes the archive (when the policy keeps one) and records where; the object goes before its manifest. */
  private async archive(purge: Purge): Promise<Purge> {
    if (!purge.archiveRequired) {
      const period = await this.repository.period(purge.tenantId, purge.cuts);
      await this.repository.markArchived(purge.purgeId, null, period);
      return { ...purge, state: 'archived', archive: null, recordedFrom: period.from, recordedTo: period.to };
    }
    const checkpoint = await this.repository.checkpoint(purge.checkpointId);
    const built = await buildArchive(purge, (cut) => this.repository.rows(purge.tenantId, cut), checkpoint);
    const manifest = manifestBytes(built.manifest);
    const manifestKey = built.manifest.object.replace(/\.jsonl\.gz$/, '.manifest.json');
    await this.store.put(built.manifest.object, built.body, 'application/gzip');
    await this.store.put(manifestKey, manifest.bytes, 'application/json');
    const archive: PurgeArchive = { location: this.store.location, object: built.manifest.object, manifest: manifestKey, sha256: built.manifest.sha256, manifestSha256: manifest.sha256, bytes: built.manifest.bytes };
    const period = { from: built.manifest.recordedFrom, to: built.manifest.recordedTo };
    await this.repository.markArchived(purge.purgeId, archive, period);
    return { ...purge, state: 'archived', archive, recordedFrom: period.from, recordedTo: period.to };
  }

  private async details(purge: Purge): Promise<RetentionPurgedDetails> {
    return {
      purgeId: purge.purgeId,
      ordinal: purge.ordinal,
      horizon: purge.horizon,
      checkpointId: purge.checkpointId,
      events: purge.events,
      recordedFrom: purge.recordedFrom,
      recordedTo: purge.recordedTo,
      archive: purge.archive,
      cuts: purge.cuts,
      anchors: await this.repository.anchors(purge.tenantId),
    };
  }
}
