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

}
