import { Inject, Injectable } from '@nestjs/common';
import { canonicalJson, isActionType, type ActionType } from '@agent-ledger/contracts';
import { GENESIS_HASH, hashEvent, type DataKey } from '@agent-ledger/integrity';
import { DlqPublisher, TransientError, type PartitionBatch } from '@agent-ledger/kafka';
import { SubjectKeyRaceError, SubjectKeyStore, type ResolvedSubjectKeys } from '@agent-ledger/persistence';
import { createLogger, withSpan } from '@agent-ledger/telemetry';
import { CheckpointService } from '../checkpoints/checkpoint.service';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { deriveActionRow, mergeActionEvent, parseActionState, summarize } from './action-state';
import { intakeMessage, type AcceptedMessage, type RejectedMessage } from './event-intake';
import { projectionMetrics } from './projection.metrics';
import { actionKey, ProjectionRepository, type ActionUpdate, type AuditEventInsert, type ProjectionTransaction } from './projection.repository';
import { envelopeProblems, sealEventPii } from './pii-sealing';
import { ProjectorSubjectKeys } from './projector-subject-keys';

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
  newTenants: Set<string>;
  newKeys: Map<string, DataKey>;
}

/**
 * Projects one partition batch of action events in ONE PostgreSQL transaction:
 * offset lock → tenant check → subject keys and PII envelopes → dedup (event_ids) → PII encryption → hash chains →
 * audit_events → actions → DLQ publish → chain heads + offset → COMMIT.
 * A throw rolls everything back; the consumer host retries the same messages (transient errors) or
 * bisects them until a message that fails alone is dead-lettered (data errors), so a batch here may
 * be any slice of a partition's messages, in order. A message intake refuses goes to the DLQ in the
 * batch's transaction, before the offset moves past it.
 */
@Injectable()
export class ProjectionService {
  private readonly log = createLogger(ProjectionService.name);
  /** Tenants are never deleted, so a positive answer can be remembered. */
  private readonly knownTenants = new Set<string>();

  constructor(
    private readonly subjectKeys: ProjectorSubjectKeys,
    private readonly repository: ProjectionRepository,
    private readonly checkpoints: CheckpointService,
    private readonly dlq: DlqPublisher,
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
    for (const t of out.newTenants) this.knownTenants.add(t);
    this.subjectKeys.store.remember(out.newKeys);
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
    const out: TxOutcome = { alreadyStored: 0, projected: 0, duplicates: 0, deadLettered: 0, rows: [], rejected: [], newTenants: new Set(), newKeys: new Map() };

    // 1. The stored offset decides what is new: a redelivered message below it is never written twice.
    const stored = await tx.lockOffset(groupId, topic, partition);
    const fresh = intake.filter((i) => i.value.offset >= stored);
    out.alreadyStored = intake.length - fresh.length;
    if (!fresh.length) return out;

    const rejected: RejectedMessage[] = [];
    let accepted: AcceptedMessage[] = [];
    for (const i of fresh) {
      if (i.ok) accepted.push(i.value);
      else rejected.push(i.value);
    }

    // 2. Unknown tenants are rejected (a direct Kafka producer names its tenant; it must exist).
    const unknown = [...new Set(accepted.map((a) => a.event.tenantId))].filter((t) => !this.knownTenants.has(t));
    if (unknown.length) out.newTenants = await tx.existingTenants(unknown);
    accepted = accepted.filter((a) => {
      const t = a.event.tenantId;
      if (this.knownTenants.has(t) || out.newTenants.has(t)) return true;
      rejected.push({ offset: a.offset, message: a.message, code: 'unknown_tenant', reason: `unknown tenant ${t}: no such row in tenants` });
      return false;
    });

    // 3. PII: subject keys of every event with PII (created as needed); envelopes ingest wrote are
    //    checked against them before anything of the message is claimed (a bad one is poison).
    const resolved = await this.resolveKeys(tx, accepted);
    for (const [k, key] of resolved.loaded) out.newKeys.set(k, key);
    accepted = accepted.filter((a) => {
      const problem = envelopeProblems(a.event, resolved);
      if (problem) rejected.push({ offset: a.offset, message: a.message, code: 'pii_envelope', reason: problem });
      return !problem;
    });

    // 4. Dedup: within the batch (first delivery wins), then against every event ever stored.
    const seen = new Set<string>();
    const unique: AcceptedMessage[] = [];
    for (const a of accepted) {
      const k = `${a.event.tenantId}/${a.event.eventId}`;
      if (seen.has(k)) out.duplicates += 1;
      else {
        seen.add(k);
        unique.push(a);
      }
    }
    const claimed = await tx.claimEventIds(unique.map((a) => ({ tenantId: a.event.tenantId, eventId: a.event.eventId })));
    const events = unique.filter((a) => claimed.has(`${a.event.tenantId}/${a.event.eventId}`));
    out.duplicates += unique.length - events.length;

    if (events.length) {
      // 5. Hash chains per (tenant, partition), in offset order.
      const heads = await tx.lockChainHeads(partition, [...new Set(events.map((a) => a.event.tenantId))], GENESIS_HASH);
      for (const a of events) {
        const tenantId = a.event.tenantId;
        // Clear PII (direct producers) is encrypted only now, for events that are new.
        const eventJson = canonicalJson(sealEventPii(a.event, resolved));
        const head = heads.get(tenantId);
        if (!head) throw new Error(`chain head of tenant ${tenantId} partition ${partition} was not locked`);
        const chainSeq = head.seq + 1n;
        const hash = hashEvent(head.hash, eventJson);
        out.rows.push({ ...a.columns, kafkaOffset: a.offset, chainSeq, prevHash: head.hash, hash, eventJson });
        heads.set(tenantId, { seq: chainSeq, hash });
      }
      await tx.insertAuditEvents(partition, out.rows);

      // 6. The actions projection (lifecycle events only).
      await this.updateActions(tx, events);

      // 7. Dead letters go out before the offset commits: a crash now re-sends them, never loses them.
      if (rejected.length) await this.publishDeadLetters(topic, partition, rejected);
      await tx.finish({ groupId, topic, partition, nextOffset, heads });
    } else {
      if (rejected.length) await this.publishDeadLetters(topic, partition, rejected);
      await tx.finish({ groupId, topic, partition, nextOffset, heads: new Map() });
    }
    out.projected = out.rows.length;
    out.rejected = rejected;
    out.deadLettered = rejected.length;
    return out;
  }

  private async publishDeadLetters(topic: string, partition: number, rejected: RejectedMessage[]): Promise<void> {
    rejected.sort((a, b) => (a.offset < b.offset ? -1 : 1));
    await this.dlq.publish(
      rejected.map((r) => ({ topic, partition, message: r.message, reason: `${r.code}: ${r.reason}`, code: r.code, errorClass: 'invalid', group: this.settings.groupId })),
    );
  }

  /**
   * The data key for each (tenant, key name) the events' PII needs, through the shared subject-key
   * store in this transaction (cached keys are remembered only after the commit). An erased
   * subject's new PII is encrypted under a throwaway key referencing the erased key id: it is
   * shredded on arrival, like the subject's older PII. A key wrapped by another master key throws
   * PiiKeyError: the batch is retried (and logged) until the right master key is configured; PII is
   * never stored unencrypted.
   */
  private async resolveKeys(tx: ProjectionTransaction, events: AcceptedMessage[]): Promise<ResolvedSubjectKeys> {
    try {
      return await this.subjectKeys.store.resolve(tx.rows, SubjectKeyStore.namesOf(events.map((a) => a.event)));
    } catch (err) {
      if (err instanceof SubjectKeyRaceError) throw new TransientError(`${err.message} (while the batch was written)`);
      throw err;
    }
  }

  private async updateActions(tx: ProjectionTransaction, events: AcceptedMessage[]): Promise<void> {
    const byAction = new Map<string, { tenantId: string; actionId: string; events: AcceptedMessage[] }>();
    for (const a of events) {
      if (!isActionType(a.event.type) || a.columns.actionId === null) continue;
      const k = actionKey(a.event.tenantId, a.columns.actionId);
      let group = byAction.get(k);
      if (!group) byAction.set(k, (group = { tenantId: a.event.tenantId, actionId: a.columns.actionId, events: [] }));
      group.events.push(a);
    }
    if (!byAction.size) return;
    const states = await tx.lockActions([...byAction.values()].map(({ tenantId, actionId }) => ({ tenantId, actionId })));
    const updates: ActionUpdate[] = [];
    for (const [k, group] of byAction) {
      let state = parseActionState(states.get(k));
      for (const a of group.events) {
        state = mergeActionEvent(state, summarize(a.event as typeof a.event & { type: ActionType }, a.columns.occurredAt));
      }
      if (!state) continue;
      updates.push({ ...deriveActionRow(state), tenantId: group.tenantId, actionId: group.actionId, state: JSON.stringify(state) });
    }
    await tx.updateActions(updates);
  }
}
