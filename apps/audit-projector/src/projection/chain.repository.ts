import { Injectable } from '@nestjs/common';
import { cmp, type AuditEventInsert, type ChainHead, type ProjectionTransaction } from './projection.repository';

/** The chain writer's statements: chain heads and audit_events rows, in the batch's transaction. */
@Injectable()
export class ChainRepository {
  /** Locks the heads of the tenants' chains in this partition (creating empty ones) and returns them. */
  async lockHeads(tx: ProjectionTransaction, partition: number, tenantIds: string[], genesis: Buffer): Promise<Map<string, ChainHead>> {
    const rows = await tx.rows<{ tenant_id: string; chain_seq: string; hash: Buffer }>(
      `INSERT INTO chain_heads (tenant_id, kafka_partition, chain_seq, hash, updated_at)
       SELECT t, $1, 0, $2, now() FROM unnest($3::uuid[]) AS t
       ON CONFLICT (tenant_id, kafka_partition) DO UPDATE SET updated_at = chain_heads.updated_at
       RETURNING tenant_id::text AS tenant_id, chain_seq::text AS chain_seq, hash`,
      [partition, genesis, [...tenantIds].sort(cmp)],
    );
    return new Map(rows.map((r) => [r.tenant_id, { seq: BigInt(r.chain_seq), hash: r.hash }]));
  }

  /**
   * Inserts the rows (recorded_at = the transaction's time). Columns go as arrays zipped by
   * `ROWS FROM`, except event_json: the rows' canonical JSON travels as ONE text parameter, a line
   * per row, split by `string_to_table` — a JSON text has no raw line break, and a large document
   * is then sent as it is instead of being quoted and escaped into an array literal.
   */
  async insert(tx: ProjectionTransaction, partition: number, rows: AuditEventInsert[]): Promise<void> {
    if (!rows.length) return;
    const col = <K extends keyof AuditEventInsert>(k: K) => rows.map((r) => r[k]);
    await tx.rows(
      `INSERT INTO audit_events (tenant_id, event_id, kafka_partition, kafka_offset, chain_seq, prev_hash, hash, type, action_id,
          session_id, agent_id, actor_id, tool_name, risk_level, approval_decision, subject_id, resource_type, resource_id,
          occurred_at, received_at, recorded_at, event_json, task_id, plan_id, step_id, approval_id, message_role, change_action,
          tool_provider, agent_name, error_message)
       SELECT u.tenant_id, u.event_id, $1, u.kafka_offset, u.chain_seq, u.prev_hash, u.hash, u.type, u.action_id,
          u.session_id, u.agent_id, u.actor_id, u.tool_name, u.risk_level, u.approval_decision, u.subject_id, u.resource_type, u.resource_id,
          u.occurred_at, u.received_at, now(), u.event_json, u.task_id, u.plan_id, u.step_id, u.approval_id, u.message_role, u.change_action,
          u.tool_provider, u.agent_name, u.error_message
         FROM ROWS FROM (unnest($2::uuid[]), unnest($3::uuid[]), unnest($4::bigint[]), unnest($5::bigint[]), unnest($6::bytea[]),
                         unnest($7::bytea[]), unnest($8::text[]), unnest($9::text[]), unnest($10::text[]), unnest($11::text[]),
                         unnest($12::text[]), unnest($13::text[]), unnest($14::text[]), unnest($15::text[]), unnest($16::text[]),
                         unnest($17::text[]), unnest($18::text[]), unnest($19::timestamptz[]), unnest($20::timestamptz[]),
                         string_to_table($21::text, E'\\n'), unnest($22::text[]), unnest($23::text[]), unnest($24::text[]),
                         unnest($25::text[]), unnest($26::text[]), unnest($27::text[]), unnest($28::text[]), unnest($29::text[]),
                         unnest($30::text[]))
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
        eventJsonLines(rows),
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
}

/** The rows' event_json, one per line (canonical JSON escapes every control character, so none holds a line break). */
export function eventJsonLines(rows: readonly { eventJson: string }[]): string {
  for (const r of rows) if (r.eventJson.includes('\n')) throw new Error('event_json holds a raw line break: not canonical JSON');
  return rows.map((r) => r.eventJson).join('\n');
}
