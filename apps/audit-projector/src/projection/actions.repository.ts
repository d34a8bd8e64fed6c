import { Injectable } from '@nestjs/common';
import type { ActionRow } from './action-state';
import { cmp, type ProjectionTransaction } from './projection.repository';

/** One `actions` row to write: the derived columns and the merge state (JSON). */
export interface ActionWrite extends ActionRow {
  tenantId: string;
  actionId: string;
  state: string;
}

/** The written columns besides the key and updated_at: [column, array type, value]. One list for INSERT and UPDATE. */
const COLUMNS: [string, string, (r: ActionWrite) => unknown][] = [
  ['status', 'text', (r) => r.status],
  ['session_id', 'text', (r) => r.sessionId],
  ['agent_id', 'text', (r) => r.agentId],
  ['agent_name', 'text', (r) => r.agentName],
  ['actor_type', 'text', (r) => r.actorType],
  ['actor_id', 'text', (r) => r.actorId],
  ['tool_name', 'text', (r) => r.toolName],
  ['tool_provider', 'text', (r) => r.toolProvider],
  ['risk_level', 'text', (r) => r.riskLevel],
  ['approval_required', 'boolean', (r) => r.approvalRequired],
  ['approval_decision', 'text', (r) => r.approvalDecision],
  ['approved_by', 'text', (r) => r.approvedBy],
  ['attempted_at', 'timestamptz', (r) => r.attemptedAt],
  ['confirmed_at', 'timestamptz', (r) => r.confirmedAt],
  ['executed_at', 'timestamptz', (r) => r.executedAt],
  ['failed_at', 'timestamptz', (r) => r.failedAt],
  ['cancelled_at', 'timestamptz', (r) => r.cancelledAt],
  ['first_event_at', 'timestamptz', (r) => r.firstEventAt],
  ['last_event_at', 'timestamptz', (r) => r.lastEventAt],
  ['duration_ms', 'float8', (r) => r.durationMs],
  ['error_message', 'text', (r) => r.errorMessage],
  ['error_code', 'text', (r) => r.errorCode],
  ['subject_id', 'text', (r) => r.subjectId],
  ['event_count', 'int', (r) => r.eventCount],
  ['anomaly', 'boolean', (r) => r.anomaly],
  ['anomalies', 'jsonb', (r) => JSON.stringify(r.anomalies)],
  ['projection_state', 'jsonb', (r) => r.state],
  ['task_id', 'text', (r) => r.taskId],
  ['plan_id', 'text', (r) => r.planId],
  ['step_id', 'text', (r) => r.stepId],
  ['approval_id', 'text', (r) => r.approvalId],
  ['approval_decision_ms', 'int', (r) => r.approvalDecisionMs],
];

/** `unnest($1::uuid[], $2::text[], …) AS u(tenant_id, action_id, …)` over the key and COLUMNS, with its parameters. */
function unnestRows(rows: readonly ActionWrite[]): { from: string; params: unknown[] } {
  const types = ['uuid', 'text', ...COLUMNS.map(([, type]) => (type === 'jsonb' ? 'text' : type))];
  const names = ['tenant_id', 'action_id', ...COLUMNS.map(([name]) => name)];
  const params = [rows.map((r) => r.tenantId), rows.map((r) => r.actionId), ...COLUMNS.map(([, , value]) => rows.map(value))];
  return { from: `unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) AS u(${names.join(', ')})`, params };
}

const value = (name: string, type: string): string => (type === 'jsonb' ? `u.${name}::jsonb` : `u.${name}`);

/**
 * The action projector's statements. Existing actions are locked (FOR UPDATE, in key order) and
 * updated; new ones are inserted once with their final row. A new action that another writer
 * inserted meanwhile is reported, never overwritten: the caller retries the batch, which then finds
 * the row and merges into it.
 */
@Injectable()
export class ActionsRepository {
  /** Locks the existing actions among these keys; returns their merge state (keyed by {@link actionKey}), null where it is unset. */
  async lockExisting(tx: ProjectionTransaction, keys: readonly { tenantId: string; actionId: string }[]): Promise<Map<string, unknown>> {
    if (!keys.length) return new Map();
    const sorted = [...keys].sort((a, b) => cmp(a.tenantId, b.tenantId) || cmp(a.actionId, b.actionId));
    const rows = await tx.rows<{ tenant_id: string; action_id: string; projection_state: unknown }>(
      `SELECT a.tenant_id::text AS tenant_id, a.action_id, a.projection_state
         FROM actions a JOIN unnest($1::uuid[], $2::text[]) AS u(t, id) ON a.tenant_id = u.t AND a.action_id = u.id
        ORDER BY a.tenant_id, a.action_id
          FOR UPDATE OF a`,
      [sorted.map((k) => k.tenantId), sorted.map((k) => k.actionId)],
    );
    return new Map(rows.map((r) => [actionKey(r.tenant_id, r.action_id), r.projection_state]));
  }

  /** Inserts new actions; returns how many were inserted (fewer when another writer created one of them meanwhile). */
  async insert(tx: ProjectionTransaction, rows: readonly ActionWrite[]): Promise<number> {
    if (!rows.length) return 0;
    const { from, params } = unnestRows(sortedByKey(rows));
    const inserted = await tx.rows<{ n: number }>(
      `WITH ins AS (
         INSERT INTO actions (tenant_id, action_id, ${COLUMNS.map(([name]) => name).join(', ')}, updated_at)
         SELECT u.tenant_id, u.action_id, ${COLUMNS.map(([name, type]) => value(name, type)).join(', ')}, now() FROM ${from}
         ON CONFLICT (tenant_id, action_id) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      params,
    );
    return inserted[0].n;
  }

  /** Updates locked actions with their new rows. */
  async update(tx: ProjectionTransaction, rows: readonly ActionWrite[]): Promise<void> {
    if (!rows.length) return;
    const { from, params } = unnestRows(sortedByKey(rows));
    await tx.rows(
      `UPDATE actions a SET ${COLUMNS.map(([name, type]) => `${name} = ${value(name, type)}`).join(', ')}, updated_at = now()
         FROM ${from}
        WHERE a.tenant_id = u.tenant_id AND a.action_id = u.action_id`,
      params,
    );
  }
}

export const actionKey = (tenantId: string, actionId: string): string => `${tenantId}\u0000${actionId}`;

const sortedByKey = (rows: readonly ActionWrite[]): ActionWrite[] => [...rows].sort((a, b) => cmp(a.tenantId, b.tenantId) || cmp(a.actionId, b.actionId));
