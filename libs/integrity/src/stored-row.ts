import type { QueryColumns } from './query-columns';

/**
 * One `audit_events` row as verification reads it: plain values, no ORM. `eventJson` is the stored
 * text byte for byte; the other fields are the row's columns (the derived ones are re-derived from
 * `eventJson` and compared).
 */
export interface StoredRow extends Partial<QueryColumns> {
  tenantId: string;
  eventId: string;
  partition: number;
  /** bigint column: a bigint, a safe integer or a decimal string. */
  chainSeq: bigint | number | string;
  prevHash: Buffer;
  hash: Buffer;
  eventJson: string;
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
  occurredAt: Date | string;
  receivedAt: Date | string;
}

/**
 * The SELECT list that yields {@link StoredRow}s from `audit_events` (for the audit API, the CLI and
 * tests). Order rows by `tenant_id, kafka_partition, chain_seq` to stream them chain by chain.
 */
export const STORED_ROW_SQL_COLUMNS = [
  'tenant_id AS "tenantId"',
  'event_id AS "eventId"',
  'kafka_partition AS "partition"',
  'chain_seq AS "chainSeq"',
  'prev_hash AS "prevHash"',
  'hash',
  'event_json AS "eventJson"',
  'type',
  'action_id AS "actionId"',
  'session_id AS "sessionId"',
  'agent_id AS "agentId"',
  'actor_id AS "actorId"',
  'tool_name AS "toolName"',
  'risk_level AS "riskLevel"',
  'approval_decision AS "approvalDecision"',
  'subject_id AS "subjectId"',
  'resource_type AS "resourceType"',
  'resource_id AS "resourceId"',
  'occurred_at AS "occurredAt"',
  'received_at AS "receivedAt"',
  // The query columns of the typed fields (QueryColumns); a reader that leaves them out skips their check.
  'task_id AS "taskId"',
  'plan_id AS "planId"',
  'step_id AS "stepId"',
  'approval_id AS "approvalId"',
  'message_role AS "messageRole"',
  'change_action AS "changeAction"',
  'tool_provider AS "toolProvider"',
  'agent_name AS "agentName"',
  'error_message AS "errorMessage"',
].join(', ');
