import type { ActionEvent } from '@agent-ledger/contracts';
import { stuckDeadlineMs, type EscalationSettings, type RuleReason } from './settings';

/** A rule that fires on this one event. */
export interface Trigger {
  reason: RuleReason;
  summary: string;
}

/**
 * The worker's durable timers: `confirmation` (an approval still pending after
 * `confirmation_timeout.timeoutMs`) and `stuck` (an action with no terminal event after its
 * `stuck_action` deadline).
 */
export type TimerKind = 'confirmation' | 'stuck';

/** A timer the event starts, due `afterMs` after the event's `occurredAt`. */
export interface TimerStart {
  kind: TimerKind;
  afterMs: number;
  /**
   * One `stuck` timer per action: an attempt's timer replaces a pending one (a confirmation's), a
   * confirmation's never replaces one; a timer that fired is never replaced.
   */
  replaces: boolean;
}

/** Events after which an action does nothing more. */
export const TERMINAL_ACTION_TYPES = ['action.executed', 'action.failed', 'action.cancelled'] as const;

/** What one action event means to the escalation worker. */
export interface Evaluation {
  /** Rules that fire on this event alone. */
  triggers: Trigger[];
  /** A failure to count in the session's error window. */
  countsAsFailure: boolean;
  /** Timers the event starts (an approval pending, an action started). */
  timers: TimerStart[];
  /** The action got its decision: pending confirmation timers of it are void. */
  decidesAction: boolean;
  /** A terminal event: the action's stuck timer is void, and a stuck_action escalation of it resolves. */
  finishesAction: boolean;
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
  const timers: TimerStart[] = [];
  if (pendingApproval && r.confirmation_timeout.enabled && e.actionId) timers.push({ kind: 'confirmation', afterMs: r.confirmation_timeout.timeoutMs, replaces: false });
  if ((e.type === 'action.attempted' || e.type === 'action.confirmed') && r.stuck_action.enabled && e.actionId) {
    timers.push({ kind: 'stuck', afterMs: stuckDeadlineMs(r.stuck_action, e.tool), replaces: e.type === 'action.attempted' });
  }
  return {
    triggers,
    countsAsFailure: e.type === 'action.failed' && r.error_threshold.enabled,
    timers,
    decidesAction: (e.type === 'action.confirmed' || e.type === 'action.cancelled') && !!e.actionId,
    finishesAction: (TERMINAL_ACTION_TYPES as readonly string[]).includes(e.type) && !!e.actionId,
  };
}
