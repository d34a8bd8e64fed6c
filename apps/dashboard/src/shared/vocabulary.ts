/**
 * The ledger's vocabularies as the filters offer them. They mirror libs/contracts (the dashboard
 * bundle does not import the Node libraries); test/dashboard/vocabulary.spec.ts keeps them equal.
 */
export const ACTION_STATUSES = ['attempted', 'confirmed', 'executed', 'failed', 'cancelled'] as const;
export const RISK_LEVELS = ['safe', 'moderate', 'destructive', 'critical'] as const;
export const APPROVAL_DECISIONS = ['approved', 'rejected', 'expired', 'auto', 'not_required'] as const;
export const ESCALATION_REASONS = [
  'customer_request',
  'action_failed',
  'error_threshold',
  'permission_denied',
  'confirmation_timeout',
  'high_risk_unapproved',
  'budget_exceeded',
  'rate_limited',
  'manual',
] as const;
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export const ESCALATION_STATUSES = ['open', 'acknowledged', 'resolved'] as const;

/** "not_required" → "not required", "customer_request" → "customer request". */
export const humanize = (v: string): string => v.replace(/[_.]/g, ' ');
