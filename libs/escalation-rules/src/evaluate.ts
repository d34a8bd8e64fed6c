import type { ActionEvent } from '@agent-ledger/contracts';
import type { EscalationSettings, RuleReason } from './settings';

/** A rule that fires on this one event. */
export interface Trigger {
  reason: RuleReason;
  summary: string;
}

/** What one action event means to the escalation worker. */
export interface Evaluation {
  /** Rules that fire on this event alone. */
  triggers: Trigger[];
  /** A failure to count in the session's error window. */
  countsAsFailure: boolean;
  /** An approval is pending: start the confirmation timer. */
  startsConfirmationTimer: boolean;
  /** The action got its decision: pending confirmation timers of it are void. */
  decidesAction: boolean;
}

const toolOf = (e: ActionEvent) => (e.tool ? `${e.tool.name} (${e.tool.riskLevel})` : 'an action');

/** Pure: the rules an action event triggers under a tenant's settings. */
export function evaluate(e: ActionEvent, s: EscalationSettings): Evaluation {
  const r = s.rules;
  const triggers: Trigger[] = [];
  const on = (reason: RuleReason, summary: string) => {
    if (r[reason].enabled) triggers.push({ reason, summary });
  };
  switch (e.type) {
    case 'signal.handoff_requested':
      on('customer_request', `The customer asked for a human in session ${e.sessionId}`);
      break;
    case 'signal.permission_denied':
      on('permission_denied', `Permission denied for ${toolOf(e)} in session ${e.sessionId}`);
      break;
    case 'signal.budget_exceeded':
      on('budget_exceeded', `Budget exceeded in session ${e.sessionId}`);
      break;
    case 'signal.rate_limited':
      on('rate_limited', `Rate limited in session ${e.sessionId}`);
      break;
    case 'action.failed':
      if (e.tool && r.action_failed.riskLevels.includes(e.tool.riskLevel)) {
        on('action_failed', `${toolOf(e)} failed${e.error?.message ? `: ${e.error.message}` : ''}`);
      }
      break;
    case 'action.executed':
      if (e.tool && r.high_risk_unapproved.riskLevels.includes(e.tool.riskLevel) && e.approval?.decision !== 'approved') {
        on('high_risk_unapproved', `${toolOf(e)} was executed without an approved decision (${e.approval?.decision ?? 'none recorded'})`);
      }
      break;
  }
  const pendingApproval = e.type === 'action.attempted' && e.approval?.required === true && (e.approval.decision === undefined || e.approval.decision === null);
  return {
    triggers,
    countsAsFailure: e.type === 'action.failed' && r.error_threshold.enabled,
    startsConfirmationTimer: pendingApproval && r.confirmation_timeout.enabled && !!e.actionId,
    decidesAction: (e.type === 'action.confirmed' || e.type === 'action.cancelled') && !!e.actionId,
  };
}
