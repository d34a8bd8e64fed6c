// The ledger's vocabularies, shared with the services (plain constants, no Node imports).
export { ACTION_ANOMALY_CODES, ACTION_STATUSES, APPROVAL_DECISIONS, ESCALATION_REASONS, ESCALATION_STATUSES, escalationScopeOf, RISK_LEVELS, SEVERITIES } from '../../../../libs/contracts/src/vocabulary';

/** "not_required" → "not required", "customer_request" → "customer request". */
export const humanize = (v: string): string => v.replace(/[_.]/g, ' ');
