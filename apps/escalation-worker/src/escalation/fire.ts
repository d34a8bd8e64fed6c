import type { RuleReason } from '@agent-ledger/escalation-rules';

/** A rule fired: what the escalation service opens or folds. */
export interface Fire {
  tenantId: string;
  /** The conversation, or the synthetic session id of a tenant alert. */
  sessionId: string;
  actionId?: string;
  reason: RuleReason;
  summary: string;
  /** The event that fired it: the idempotency key of everything published for it. */
  triggerId: string;
  /** A tenant alert: its own cooldown, counted from its opening, throttles notifications. */
  tenantAlert?: { cooldownMs: number };
}
