import { changeActionOf, type ActionEvent } from '@agent-ledger/contracts';
import { storableText } from '@agent-ledger/integrity';

/**
 * The `audit_events` query columns of the typed fields added to schema v1 (migration
 * 1732300001900), besides those of `deriveColumns`: what the filters of the read path need. Taken
 * from the validated event; text as PostgreSQL can hold it (`storableText`).
 */
export interface EventQueryColumns {
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

const text = (value: string | undefined): string | null => (value === undefined ? null : storableText(value));

export function eventQueryColumns(event: ActionEvent): EventQueryColumns {
  return {
    taskId: text(event.taskId),
    planId: text(event.plan?.planId),
    stepId: text(event.plan?.stepId),
    approvalId: text(event.approval?.approvalId),
    messageRole: event.message?.role ?? null,
    changeAction: event.type === 'change.recorded' ? (changeActionOf(event.changes) ?? null) : null,
    toolProvider: text(event.tool?.provider),
    agentName: text(event.agent?.name),
    errorMessage: text(event.error?.message),
  };
}
