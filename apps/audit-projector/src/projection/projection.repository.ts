import { Injectable } from '@nestjs/common';
import type { QueryColumns } from '@agent-ledger/integrity';
import { DataSource, type QueryRunner } from '@agent-ledger/persistence';
import type { ActionRow } from './action-state';

/** One `audit_events` row to insert (recorded_at is the transaction time). */
export interface AuditEventInsert extends QueryColumns {
  tenantId: string;
  eventId: string;
  kafkaOffset: bigint;
  chainSeq: bigint;
  prevHash: Buffer;
  hash: Buffer;
  type: string;
  actionId: string | null;
  sessionId: string | null;
  agentId: string | null;
  actorId: string | null;
  toolName: string | null;
  riskLevel: string | null;
  approvalDecision: string | null;
  subjectId: string | null;
  resourceType: string | null;
  resourceId: string | null;
  occurredAt: string;
  receivedAt: string;
  eventJson: string;
}

export interface ChainHead {
  seq: bigint;
  hash: Buffer;
}

export interface ActionUpdate extends ActionRow {
  tenantId: string;
  actionId: string;
  state: string;
}

/**
 * The projector's SQL. Each batch runs in ONE transaction ({@link ProjectionRepository.transaction});
 * every statement is set-based (unnest of arrays), so a batch costs a fixed number of round trips
 * whatever its size. Rows are locked in a fixed order (sorted keys) so concurrent writers cannot
 * deadlock on each other's order.
 */
@Injectable()
export class ProjectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs fn in a transaction on one connection; commits if it resolves, rolls back if it throws. */
  async transaction<T>(fn: (tx: ProjectionTransaction) => Promise<T>): Promise<T> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction('READ COMMITTED');
      const result = await fn(new ProjectionTransaction(qr));
      await qr.commitTransaction();
      return result;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  /** The stored next offsets of a group's partitions (only those that have one). */
  async storedOffsets(groupId: string, topic: string, partitions: number[]): Promise<{ partition: number; nextOffset: string }[]> {
    const rows: { kafka_partition: number; next_offset: string }[] = await this.dataSource.query(
      `SELECT kafka_partition, next_offset::text AS next_offset FROM consumer_offsets
        WHERE group_id = $1 AND topic = $2 AND kafka_partition = ANY($3::int[])`,
      [groupId, topic, partitions],
    );
    return rows.map((r) => ({ partition: r.kafka_partition, nextOffset: r.next_offset }));
  }

  /**
   * Creates the audit_events partitions of the current and the next month if missing. Serialized
   * across instances by an advisory lock; gives up after 5 s rather than queue behind batches
   * (creating a partition locks the parent table).
   */
  async ensureMonthPartitions(): Promise<string[]> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      await qr.query(`SET LOCAL lock_timeout = '5s'`);
      await qr.query(`SELECT pg_advisory_xact_lock(hashtext('agent-ledger:audit_events partitions'))`);
      const rows: { a: string; b: string }[] = await qr.query(
        `SELECT ensure_audit_events_partition(date_trunc('month', now())::date) AS a,
                ensure_audit_events_partition((date_trunc('month', now()) + interval '1 month')::date) AS b`,
      );
      await qr.commitTransaction();
      return [rows[0].a, rows[0].b];
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }
}

/** The statements of one batch transaction. */
export class ProjectionTransaction {
  constructor(private readonly qr: QueryRunner) {}

  /** Runs one statement in this transaction and returns its rows (also the subject-key store's way in). */
  readonly rows = async <T>(sql: string, params: unknown[]): Promise<T[]> => {
    const result = await this.qr.query(sql, params, true);
    return (result.records ?? []) as T[];
  };

  /** Locks the group's position in the partition (creating it at 0) and returns the next offset to store. */
  async lockOffset(groupId: string, topic: string, partition: number): Promise<bigint> {
    const [row] = await this.rows<{ next_offset: string }>(
      `INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES ($1, $2, $3, 0)
       ON CONFLICT (group_id, topic, kafka_partition) DO UPDATE SET next_offset = consumer_offsets.next_offset
       RETURNING next_offset::text AS next_offset`,
      [groupId, topic, partition],
    );
    return BigInt(row.next_offset);
  }

  /** Which of these tenant ids exist. */
  async existingTenants(ids: string[]): Promise<Set<string>> {
    const rows = await this.rows<{ id: string }>(`SELECT id::text AS id FROM tenants WHERE id = ANY($1::uuid[])`, [ids]);
    return new Set(rows.map((r) => r.id));
  }

  /** Claims event ids; returns the `tenant/event` keys that were new (the rest were stored before). */
  async claimEventIds(ids: { tenantId: string; eventId: string }[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const sorted = [...ids].sort((a, b) => cmp(a.tenantId, b.tenantId) || cmp(a.eventId, b.eventId));
    const rows = await this.rows<{ tenant_id: string; event_id: string }>(
      `INSERT INTO event_ids (tenant_id, event_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[])
       ON CONFLICT DO NOTHING
       RETURNING tenant_id::text AS tenant_id, event_id::text AS event_id`,
      [sorted.map((i) => i.tenantId), sorted.map((i) => i.eventId)],
    );
    return new Set(rows.map((r) => `${r.tenant_id}/${r.event_id}`));
  }

  /** Locks the heads of the tenants' chains in this partition (creating empty ones) and returns them. */
  async lockChainHeads(partition: number, tenantIds: string[], genesis: Buffer): Promise<Map<string, ChainHead>> {
    const rows = await this.rows<{ tenant_id: string; chain_seq: string; hash: Buffer }>(
      `INSERT INTO chain_heads (tenant_id, kafka_partition, chain_seq, hash, updated_at)
       SELECT t, $1, 0, $2, now() FROM unnest($3::uuid[]) AS t
       ON CONFLICT (tenant_id, kafka_partition) DO UPDATE SET updated_at = chain_heads.updated_at
       RETURNING tenant_id::text AS tenant_id, chain_seq::text AS chain_seq, hash`,
      [partition, genesis, [...tenantIds].sort(cmp)],
    );
    return new Map(rows.map((r) => [r.tenant_id, { seq: BigInt(r.chain_seq), hash: r.hash }]));
  }

  async insertAuditEvents(partition: number, rows: AuditEventInsert[]): Promise<void> {
    if (!rows.length) return;
    const col = <K extends keyof AuditEventInsert>(k: K) => rows.map((r) => r[k]);
    await this.qr.query(
      `INSERT INTO audit_events (tenant_id, event_id, kafka_partition, kafka_offset, chain_seq, prev_hash, hash, type, action_id,
          session_id, agent_id, actor_id, tool_name, risk_level, approval_decision, subject_id, resource_type, resource_id,
          occurred_at, received_at, recorded_at, event_json, task_id, plan_id, step_id, approval_id, message_role, change_action,
          tool_provider, agent_name, error_message)
       SELECT u.tenant_id, u.event_id, $1, u.kafka_offset, u.chain_seq, u.prev_hash, u.hash, u.type, u.action_id,
          u.session_id, u.agent_id, u.actor_id, u.tool_name, u.risk_level, u.approval_decision, u.subject_id, u.resource_type, u.resource_id,
          u.occurred_at, u.received_at, now(), u.event_json, u.task_id, u.plan_id, u.step_id, u.approval_id, u.message_role, u.change_action,
          u.tool_provider, u.agent_name, u.error_message
         FROM unnest($2::uuid[], $3::uuid[], $4::bigint[], $5::bigint[], $6::bytea[], $7::bytea[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
                     $19::timestamptz[], $20::timestamptz[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[],
                     $27::text[], $28::text[], $29::text[], $30::text[])
           AS u(tenant_id, event_id, kafka_offset, chain_seq, prev_hash, hash, type, action_id,
                session_id, agent_id, actor_id, tool_name, risk_level, approval_decision, subject_id, resource_type, resource_id,
                occurred_at, received_at, event_json, task_id, plan_id, step_id, approval_id, message_role, change_action,
                tool_provider, agent_name, error_message)`,
      [
        partition,
        col('tenantId'),
        col('eventId'),
        rows.map((r) => r.kafkaOffset.toString()),
        rows.map((r) => r.chainSeq.toString()),
        col('prevHash'),
        col('hash'),
        col('type'),
        col('actionId'),
        col('sessionId'),
        col('agentId'),
        col('actorId'),
        col('toolName'),
        col('riskLevel'),
        col('approvalDecision'),
        col('subjectId'),
        col('resourceType'),
        col('resourceId'),
        col('occurredAt'),
        col('receivedAt'),
        col('eventJson'),
        col('taskId'),
        col('planId'),
        col('stepId'),
        col('approvalId'),
        col('messageRole'),
        col('changeAction'),
        col('toolProvider'),
        col('agentName'),
        col('errorMessage'),
      ],
    );
  }

  /**
   * Locks the actions (creating placeholder rows for new ones, visible to no one before commit) and
   * returns their merge state; null for a new action.
   */
  async lockActions(keys: { tenantId: string; actionId: string }[]): Promise<Map<string, unknown>> {
    if (!keys.length) return new Map();
    const sorted = [...keys].sort((a, b) => cmp(a.tenantId, b.tenantId) || cmp(a.actionId, b.actionId));
    const rows = await this.rows<{ tenant_id: string; action_id: string; projection_state: unknown }>(
      `INSERT INTO actions (tenant_id, action_id, status, first_event_at, last_event_at, event_count, updated_at)
       SELECT t, a, 'attempted', now(), now(), 0, now() FROM unnest($1::uuid[], $2::text[]) AS u(t, a)
       ON CONFLICT (tenant_id, action_id) DO UPDATE SET updated_at = actions.updated_at
       RETURNING tenant_id::text AS tenant_id, action_id, projection_state`,
      [sorted.map((k) => k.tenantId), sorted.map((k) => k.actionId)],
    );
    return new Map(rows.map((r) => [actionKey(r.tenant_id, r.action_id), r.projection_state]));
  }

  async updateActions(rows: ActionUpdate[]): Promise<void> {
    if (!rows.length) return;
    const col = <K extends keyof ActionUpdate>(k: K) => rows.map((r) => r[k]);
    await this.qr.query(
      `UPDATE actions a SET status = u.status, session_id = u.session_id, agent_id = u.agent_id, agent_name = u.agent_name,
          actor_type = u.actor_type, actor_id = u.actor_id, tool_name = u.tool_name, tool_provider = u.tool_provider,
          risk_level = u.risk_level, approval_required = u.approval_required, approval_decision = u.approval_decision,
          approved_by = u.approved_by, attempted_at = u.attempted_at, confirmed_at = u.confirmed_at, executed_at = u.executed_at,
          failed_at = u.failed_at, cancelled_at = u.cancelled_at, first_event_at = u.first_event_at, last_event_at = u.last_event_at,
          duration_ms = u.duration_ms, error_message = u.error_message, error_code = u.error_code, subject_id = u.subject_id,
          event_count = u.event_count, anomaly = u.anomaly, anomalies = u.anomalies::jsonb, projection_state = u.state::jsonb,
          task_id = u.task_id, plan_id = u.plan_id, step_id = u.step_id, approval_id = u.approval_id,
          approval_decision_ms = u.approval_decision_ms, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::boolean[], $13::text[], $14::text[], $15::timestamptz[], $16::timestamptz[],
                     $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[],
                     $22::float8[], $23::text[], $24::text[], $25::text[], $26::int[], $27::boolean[], $28::text[], $29::text[],
                     $30::text[], $31::text[], $32::text[], $33::text[], $34::int[])
           AS u(tenant_id, action_id, status, session_id, agent_id, agent_name, actor_type, actor_id, tool_name, tool_provider,
                risk_level, approval_required, approval_decision, approved_by, attempted_at, confirmed_at, executed_at, failed_at,
                cancelled_at, first_event_at, last_event_at, duration_ms, error_message, error_code, subject_id, event_count,
                anomaly, anomalies, state, task_id, plan_id, step_id, approval_id, approval_decision_ms)
        WHERE a.tenant_id = u.tenant_id AND a.action_id = u.action_id`,
      [
        col('tenantId'), col('actionId'), col('status'), col('sessionId'), col('agentId'), col('agentName'), col('actorType'),
        col('actorId'), col('toolName'), col('toolProvider'), col('riskLevel'), col('approvalRequired'), col('approvalDecision'),
        col('approvedBy'), col('attemptedAt'), col('confirmedAt'), col('executedAt'), col('failedAt'), col('cancelledAt'),
        col('firstEventAt'), col('lastEventAt'), col('durationMs'), col('errorMessage'), col('errorCode'), col('subjectId'),
        col('eventCount'), col('anomaly'), rows.map((r) => JSON.stringify(r.anomalies)), col('state'),
        col('taskId'), col('planId'), col('stepId'), col('approvalId'), col('approvalDecisionMs'),
      ],
    );
  }

  /** Moves the chain heads and the group's offset forward: the last statement before COMMIT. */
  async finish(p: { groupId: string; topic: string; partition: number; nextOffset: bigint; heads: Map<string, ChainHead> }): Promise<void> {
    const heads = [...p.heads.entries()];
    await this.qr.query(
      `WITH heads AS (
         UPDATE chain_heads c SET chain_seq = u.seq, hash = u.hash, updated_at = now()
           FROM unnest($5::uuid[], $6::bigint[], $7::bytea[]) AS u(tenant_id, seq, hash)
          WHERE c.tenant_id = u.tenant_id AND c.kafka_partition = $3
       )
       UPDATE consumer_offsets SET next_offset = GREATEST(next_offset, $4::bigint), updated_at = now()
        WHERE group_id = $1 AND topic = $2 AND kafka_partition = $3`,
      [p.groupId, p.topic, p.partition, p.nextOffset.toString(), heads.map(([t]) => t), heads.map(([, h]) => h.seq.toString()), heads.map(([, h]) => h.hash)],
    );
  }
}

export const actionKey = (tenantId: string, actionId: string): string => `${tenantId}\u0000${actionId}`;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
