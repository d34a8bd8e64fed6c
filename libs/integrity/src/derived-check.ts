import { deriveColumns, type DerivedColumns } from './derived-columns';
import { deriveQueryColumns, QUERY_COLUMN_KEYS, QUERY_COLUMN_NAMES } from './query-columns';
import type { StoredRow } from './stored-row';
import type { VerificationFailure } from './verification-failure';

const DERIVED: readonly (keyof DerivedColumns & keyof StoredRow)[] = [
  'tenantId', 'eventId', 'type', 'actionId', 'sessionId', 'agentId', 'actorId', 'toolName', 'riskLevel',
  'approvalDecision', 'subjectId', 'resourceType', 'resourceId',
];
const COLUMN_NAMES: Record<string, string> = {
  tenantId: 'tenant_id', eventId: 'event_id', type: 'type', actionId: 'action_id', sessionId: 'session_id', agentId: 'agent_id',
  actorId: 'actor_id', toolName: 'tool_name', riskLevel: 'risk_level', approvalDecision: 'approval_decision', subjectId: 'subject_id',
  resourceType: 'resource_type', resourceId: 'resource_id', occurredAt: 'occurred_at', receivedAt: 'received_at',
};

const toMs = (v: Date | string): number => (v instanceof Date ? v.getTime() : Date.parse(v));

/** Re-derives the query columns from event_json and names those that differ (or a malformed event). */
export function checkDerived(row: StoredRow, at: Omit<VerificationFailure, 'kind' | 'reason'>, fail: (f: VerificationFailure) => void): void {
  let event: unknown;
  let derived: DerivedColumns;
  try {
    event = JSON.parse(row.eventJson);
    derived = deriveColumns(event);
  } catch (err) {
    fail({ kind: 'malformed_event', ...at, reason: `event_json is not a storable event: ${(err as Error).message}` });
    return;
  }
  const differing = DERIVED.filter((c) => (row[c] ?? null) !== derived[c]).map((c) => COLUMN_NAMES[c]);
  // The query columns: checked when the reader read them; NULL is what rows recorded before they existed hold.
  const query = deriveQueryColumns(event);
  for (const c of QUERY_COLUMN_KEYS) {
    const stored = row[c];
    if (stored !== undefined && stored !== null && stored !== query[c]) differing.push(QUERY_COLUMN_NAMES[c]);
  }
  if (toMs(row.occurredAt) !== Date.parse(derived.occurredAt)) differing.push(COLUMN_NAMES.occurredAt);
  if (toMs(row.receivedAt) !== Date.parse(derived.receivedAt)) differing.push(COLUMN_NAMES.receivedAt);
  if (differing.length) fail({ kind: 'derived_mismatch', ...at, reason: `columns differ from event_json: ${differing.join(', ')}` });
}
