/**
 * The ledger's closed vocabularies. Plain constants without imports, so that the dashboard's browser
 * bundle shares them with the services instead of carrying a copy.
 */

/** Where an action stands in its lifecycle (attempted → confirmed → executed | failed | cancelled). */
export const ACTION_STATUSES = ['attempted', 'confirmed', 'executed', 'failed', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const RISK_LEVELS = ['safe', 'moderate', 'destructive', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const APPROVAL_DECISIONS = ['approved', 'rejected', 'expired', 'auto', 'not_required'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/** Why an escalation was opened (see the escalation rules in docs/escalation.md). */
export const ESCALATION_REASONS = [
  'customer_request',
  'action_failed',
  'error_threshold',
  'permission_denied',
  'confirmation_timeout',
  'high_risk_unapproved',
  'budget_exceeded',
  'rate_limited',
  'session_too_long',
  'session_too_complex',
  'tenant_error_rate',
  'tenant_failure_burst',
  'tenant_tool_latency',
  'tenant_change_burst',
  'approval_mismatch',
  'unapproved_execution',
  'executed_after_rejection',
  'stuck_action',
  'events_missing',
  'manual',
] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/** The reasons of tenant-wide alerts: they are about the whole tenant, not one conversation (docs/escalation.md). */
export const TENANT_ALERT_REASONS = ['tenant_error_rate', 'tenant_failure_burst', 'tenant_tool_latency', 'tenant_change_burst'] as const satisfies readonly EscalationReason[];
export type TenantAlertReason = (typeof TENANT_ALERT_REASONS)[number];

/** What an escalation is about: one session, or the whole tenant (a tenant-wide alert, told by its reason). */
export function escalationScopeOf(reason: string | null | undefined): 'session' | 'tenant' {
  return (TENANT_ALERT_REASONS as readonly (string | null | undefined)[]).includes(reason) ? 'tenant' : 'session';
}

/**
 * What the projector marks on an action (`actions.anomalies[].code`, docs/accountability.md):
 * - `conflicting_outcomes`: more than one terminal event (executed, failed, cancelled);
 * - `ran_after_rejection`: failed although an approval decision rejected or expired it;
 * - `conflicting_approvals`: granted and rejected both recorded;
 * - `approval_mismatch`: the executed input's `inputHash` differs from the approved `approval.argsHash`;
 * - `unapproved_execution`: executed while an approval was required and none granted it;
 * - `executed_after_rejection`: executed although an approval decision rejected or expired it.
 */
export const ACTION_ANOMALY_CODES = [
  'conflicting_outcomes',
  'ran_after_rejection',
  'conflicting_approvals',
  'approval_mismatch',
  'unapproved_execution',
  'executed_after_rejection',
] as const;
export type ActionAnomalyCode = (typeof ACTION_ANOMALY_CODES)[number];

/** The anomalies that open an escalation of the same name (each a rule in the escalation settings). */
export const ESCALATED_ANOMALY_CODES = ['approval_mismatch', 'unapproved_execution', 'executed_after_rejection'] as const satisfies readonly ActionAnomalyCode[] & readonly EscalationReason[];
export type EscalatedAnomalyCode = (typeof ESCALATED_ANOMALY_CODES)[number];

/** Most severe first. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An escalation's lifecycle: open → acknowledged → resolved. */
export const ESCALATION_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];
