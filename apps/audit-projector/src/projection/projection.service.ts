import { Inject, Injectable } from '@nestjs/common';
import type { PartitionBatch } from '@agent-ledger/kafka';
import type { ResolvedSubjectKeys } from '@agent-ledger/persistence';
import { createLogger, withSpan } from '@agent-ledger/telemetry';
import { CheckpointService } from '../checkpoints/checkpoint.service';
import { StatsRollups } from '../rollups/stats-rollups';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { ActionProjector } from './action-projector';
import { AnomalyFindingsRepository } from './anomaly-findings.repository';
import { ChainWriter } from './chain-writer';
import { intakeMessage, type AcceptedMessage, type RejectedMessage } from './event-intake';
import { MerkleWriter } from './merkle-writer';
import { envelopeProblems } from './pii-sealing';
import { ProducerSequencesRepository } from './producer-sequences.repository';
import { ProjectionDeadLetters } from './projection-dead-letters';
import { projectionMetrics } from './projection.metrics';
import { ProjectionRepository, type AuditEventInsert, type ProjectionTransaction } from './projection.repository';
import { ProjectorSubjectKeys } from './projector-subject-keys';
import { TenantDirectory } from './tenant-directory';

/** What one batch did (after its transaction committed). */
export interface BatchResult {
  /** Messages below the stored offset: already handled by an earlier delivery. */
  alreadyStored: number;
  projected: number;
  duplicates: number;
  deadLettered: number;
}

interface TxOutcome extends BatchResult {
  rows: AuditEventInsert[];
  rejected: RejectedMessage[];
  learnedTenants: Set<string>;
  keys?: ResolvedSubjectKeys;
}

/**
 * Projects one partition batch of action events in ONE PostgreSQL transaction:
 * offset lock → tenants → subject keys and PII envelopes → dedup (event_ids) → hash chains and
 * audit_events → actions and anomaly findings → DLQ publish → chain heads + offset → the rows shared
 * by every partition of a tenant (Merkle trees, statistics rollups, producer sequences) → COMMIT.
 * Each step is a part of its own (TenantDirectory, ProjectorSubjectKeys, ChainWriter,
 * ActionProjector, StatsRollups, ProjectionDeadLetters); this service orders them and, after the commit, lets
 * them remember what they learned. A throw rolls everything back; the consumer host retries the same
 * messages (transient errors) or bisects them until a message that fails alone is dead-lettered
 * (data errors), so a batch here may be any slice of a partition's messages, in order.
 */
@Injectable()
export class ProjectionService {
  private readonly log = createLogger(ProjectionService.name);

  constructor(
    private readonly repository: ProjectionRepository,
    private readonly tenants: TenantDirectory,
    private readonly subjectKeys: ProjectorSubjectKeys,
    private readonly chains: ChainWriter,
    private readonly actions: ActionProjector,
    private readonly deadLetters: ProjectionDeadLetters,
    private readonly rollups: StatsRollups,
    private readonly checkpoints: CheckpointService,
    private readonly anomalyFindings: AnomalyFindingsRepository,
    private readonly producerSequences: ProducerSequencesRepository,
    private readonly merkle: MerkleWriter,
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
  ) {}

  async handleBatch(batch: PartitionBatch): Promise<BatchResult> {
    const stop = projectionMetrics.batchDuration().startTimer();
    try {
      // Inside the consumer host's batch span (linked to each event's publish span): the transaction's work.
      const result = await withSpan('audit-projector project', () => this.project(batch), {
        attributes: { 'messaging.destination.name': batch.topic, 'messaging.destination.partition.id': String(batch.partition), 'messaging.batch.message_count': batch.messages.length },
      });
      stop({ outcome: 'committed' });
      return result;
    } catch (err) {
      stop({ outcome: 'failed' });
      projectionMetrics.batchFailures().inc();
      throw err;
    }
  }

  /**
   * Moves the group's stored offset past a message the consumer host dead-lettered (nothing of it was
   * stored), so a restart does not read it again.
   */
  async recordSkipped(topic: string, partition: number, nextOffset: bigint): Promise<void> {
    const { groupId } = this.settings;
    await this.repository.transaction(async (tx) => {
      await tx.lockOffset(groupId, topic, partition);
      await tx.finish({ groupId, topic, partition, nextOffset, heads: new Map() });
    });
  }

  private async project(batch: PartitionBatch): Promise<BatchResult> {
    const { topic, partition, messages } = batch;
    if (!messages.length) return { alreadyStored: 0, projected: 0, duplicates: 0, deadLettered: 0 };
    const intake = messages.map(intakeMessage);
    const nextOffset = BigInt(messages[messages.length - 1].offset) + 1n;
    await batch.heartbeat();

    const out = await this.repository.transaction((tx) => this.projectInTransaction(tx, topic, partition, intake, nextOffset));

    // Only now that the transaction committed: remember tenants and keys, count, schedule checkpoints.
    this.tenants.remember(out.learnedTenants);
    if (out.keys) this.subjectKeys.remember(out.keys.loaded);
    const perTenant = new Map<string, number>();
    for (const r of out.rows) {
      perTenant.set(r.tenantId, (perTenant.get(r.tenantId) ?? 0) + 1);
      projectionMetrics.projected().inc({ type: r.type });
    }
    if (out.duplicates) projectionMetrics.duplicates().inc(out.duplicates);
    for (const r of out.rejected) projectionMetrics.deadLetters().inc({ code: r.code });
    if (out.rejected.length) {
      this.log.warn({ topic, partition, deadLetters: out.rejected.map((r) => ({ offset: r.offset.toString(), code: r.code, reason: r.reason })) }, 'messages sent to the DLQ');
    }
    this.checkpoints.recordAppended(perTenant);
    await batch.heartbeat().catch(() => undefined);
    return { alreadyStored: out.alreadyStored, projected: out.projected, duplicates: out.duplicates, deadLettered: out.deadLettered };
  }

  private async projectInTransaction(
    tx: ProjectionTransaction,
    topic: string,
    partition: number,
    intake: ReturnType<typeof intakeMessage>[],
    nextOffset: bigint,
  ): Promise<TxOutcome> {
    const { groupId } = this.settings;
    const out: TxOutcome = { alreadyStored: 0, projected: 0, duplicates: 0, deadLettered: 0, rows: [], rejected: [], learnedTenants: new Set() };

    // 1. The stored offset decides what is new: a redelivered message below it is never written twice.
    const stored = await tx.lockOffset(groupId, topic, partition);
    const fresh = intake.filter((i) => i.value.offset >= stored);
    out.alreadyStored = intake.length - fresh.length;
    if (!fresh.length) return out;

    const rejected: RejectedMessage[] = [];
    const decoded: AcceptedMessage[] = [];
    for (const i of fresh) {
      if (i.ok) decoded.push(i.value);
      else rejected.push(i.value);
    }

    // 2. Unknown tenants are rejected (a direct Kafka producer names its tenant; it must exist).
    const tenants = await this.tenants.check(tx, decoded);
    out.learnedTenants = tenants.learned;
    rejected.push(...tenants.rejected);

    // 3. PII: subject keys of every event with PII (created as needed); envelopes ingest wrote are
    //    checked against them before anything of the message is claimed (a bad one is poison).
    const keys = await this.subjectKeys.resolve(tx, tenants.accepted.map((a) => a.event));
    out.keys = keys;
    const accepted = tenants.accepted.filter((a) => {
      const problem = envelopeProblems(a.event, keys);
      if (problem) rejected.push({ offset: a.offset, message: a.message, code: 'pii_envelope', reason: problem });
      return !problem;
    });

    // 4. Dedup: within the batch (first delivery wins), then against every event ever stored.
    const { events, duplicates } = await this.claimNew(tx, accepted);
    out.duplicates = duplicates;

    // 5. Hash chains per (tenant, partition), in offset order, and the audit_events rows.
    const chain = await this.chains.append(tx, partition, events, keys);
    out.rows = chain.rows;

    // 6. The actions projection (lifecycle events only) and the anomalies it found.
    const actionChanges = await this.actions.apply(tx, events);
    await this.anomalyFindings.record(tx, actionChanges, events);

    // 7. Dead letters go out before the offset commits: a crash now re-sends them, never loses them.
    await this.deadLetters.publish(topic, partition, rejected);
    await tx.finish({ groupId, topic, partition, nextOffset, heads: chain.heads });

    // 8. Last, the rows every batch of a tenant shares, whatever its partition: the tenant's Merkle
    //    tree (locked per tenant), the statistics rollups of the hour and day (after the actions are
    //    written: they may read them back) and the producers' sequences. Batches of other partitions
    //    of the tenant wait on these rows until this transaction commits, so they are taken only now,
    //    in one order (trees by tenant, rollup rows and producers by key): the wait covers these
    //    three statements and the commit, not the whole batch (docs/performance.md).
    await this.merkle.append(tx, partition, chain.rows);
    await this.rollups.apply(tx, { events: chain.rows, actions: actionChanges });
    await this.producerSequences.record(tx, events);
    out.projected = out.rows.length;
    out.rejected = rejected;
    out.deadLettered = rejected.length;
    return out;
  }

  /** The events seen for the first time: the first delivery within the batch, unless event_ids already holds it. */
  private async claimNew(tx: ProjectionTransaction, accepted: AcceptedMessage[]): Promise<{ events: AcceptedMessage[]; duplicates: number }> {
    const seen = new Set<string>();
    const unique: AcceptedMessage[] = [];
    for (const a of accepted) {
      const k = `${a.event.tenantId}/${a.event.eventId}`;
      if (!seen.has(k)) {
        seen.add(k);
        unique.push(a);
      }
    }
    const claimed = await tx.claimEventIds(unique.map((a) => ({ tenantId: a.event.tenantId, eventId: a.event.eventId })));
    const events = unique.filter((a) => claimed.has(`${a.event.tenantId}/${a.event.eventId}`));
    return { events, duplicates: accepted.length - events.length };
  }
}
