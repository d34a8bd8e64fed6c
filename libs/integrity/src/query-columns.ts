import { changeActionOf } from '@agent-ledger/contracts';
import { storableText } from './derived-columns';

/**
 * The query columns of the typed fields of schema v1 (migration 1732300001900): what the read path's
 * filters and search use, besides {@link DerivedColumns}. The projector writes them with
 * {@link deriveQueryColumns} and verification re-derives and compares them.
 *
 * Rows recorded before the migration hold NULL in all of them (the log is append-only: nothing
 * filled them in), so verification accepts a NULL column and compares every other value: a changed
 * or injected value is a `derived_mismatch`, a value set back to NULL is not detected.
 */
export interface QueryColumns {
  taskId: string | null;
  planId: string | null;
  stepId: string | null;
  approvalId: string | null;
  messageRole: string | null;
  /** create | update | delete of a `change.recorded` (null for every other type). */
  changeAction: string | null;
  toolProvider: string | null;
  agentName: string | null;
  errorMessage: string | null;
}

/** Column names of {@link QueryColumns}, in the order of the type. */
export const QUERY_COLUMN_NAMES: Record<keyof QueryColumns, string> = {
  taskId: 'task_id',
  planId: 'plan_id',
  stepId: 'step_id',
  approvalId: 'approval_id',
  messageRole: 'message_role',
  changeAction: 'change_action',
  toolProvider: 'tool_provider',
  agentName: 'agent_name',
  errorMessage: 'error_message',
};

export const QUERY_COLUMN_KEYS = Object.keys(QUERY_COLUMN_NAMES) as (keyof QueryColumns)[];

function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? storableText(value) : null);

/** The query columns of a stored event (the event object, or parsed `event_json`). */
export function deriveQueryColumns(stored: unknown): QueryColumns {
  const e = obj(stored) ?? {};
  const changes = obj(e.changes);
  return {
    taskId: text(e.taskId),
    planId: text(obj(e.plan)?.planId),
    stepId: text(obj(e.plan)?.stepId),
    approvalId: text(obj(e.approval)?.approvalId),
    messageRole: text(obj(e.message)?.role),
    changeAction: e.type === 'change.recorded' && changes ? (changeActionOf({ before: changes.before ?? null, after: changes.after ?? null }) ?? null) : null,
    toolProvider: text(obj(e.tool)?.provider),
    agentName: text(obj(e.agent)?.name),
    errorMessage: text(obj(e.error)?.message),
  };
}
