import type { EscalationEvent, EscalationReason } from '@agent-ledger/contracts';
import type { EscalationSettings } from '@agent-ledger/escalation-rules';
import { deterministicId } from './deterministic-id';
import type { DueTimer, OpenOutcome, StuckEscalation } from './escalation.store';
import type { Fire } from './fire';
import type { Resolution } from './finding-source';

/** The id an escalation opened by this fire gets (the same trigger always gives the same id). */
export function candidateId(f: Fire): string {
  return deterministicId('escalation', f.tenantId, f.sessionId, f.reason, f.triggerId);
}

/** The cooldown the fire opens or folds under: a tenant alert's own, else the tenant's. */
export function cooldownOf(f: Fire, s: EscalationSettings): number {
  return f.tenantAlert?.cooldownMs ?? s.cooldownMs;
}

/**
 * Pure: the messages a fire publishes once its open/fold outcome is known — the stale escalation it
 * closed, then `escalation.opened` (also again for the trigger that opened it, on redelivery) or
 * `escalation.updated`. Every id is deterministic, so a redelivered trigger publishes the same
 * messages. Nothing for a suppressed tenant alert.
 */
export function escalationMessages(f: Fire, o: OpenOutcome, s: EscalationSettings, nowMs: number): EscalationEvent[] {
  if (o.outcome === 'suppressed') return [];
  const rule = s.rules[f.reason];
  const cooldownMs = cooldownOf(f, s);
  const at = new Date(nowMs).toISOString();
  const scope = f.tenantAlert ? { scope: 'tenant' as const } : {};
  const out: EscalationEvent[] = [];
  if (o.staleEscalationId) {
    out.push({
      type: 'escalation.resolved',
      eventId: deterministicId('resolved-quiet', o.staleEscalationId),
      escalationId: o.staleEscalationId,
      tenantId: f.tenantId,
      sessionId: f.sessionId,
      ...scope,
      occurredAt: at,
      resolvedBy: 'agent-ledger',
      notes: f.tenantAlert
        ? `cooldown of ${Math.round(cooldownMs / 1000)} s over; a new crossing opened a new alert`
        : `no repeat for ${Math.round(cooldownMs / 1000)} s (cooldown); a new trigger opened a new escalation`,
    });
  }
  if (isOpening(f, o)) {
    out.push({
      type: 'escalation.opened',
      eventId: deterministicId('opened', o.escalationId),
      escalationId: o.escalationId,
      tenantId: f.tenantId,
      sessionId: f.sessionId,
      ...scope,
      ...(f.actionId ? { actionId: f.actionId } : {}),
      reason: f.reason as EscalationReason,
      severity: rule.severity,
      summary: f.summary.slice(0, 4_000),
      customerMessage: rule.customerMessage,
      triggeringEventIds: [f.triggerId],
      count: 1,
      occurredAt: o.outcome === 'opened' ? at : new Date(o.openedAt).toISOString(),
    });
  } else {
    out.push({
      type: 'escalation.updated',
      eventId: deterministicId('updated', o.escalationId, f.triggerId),
      escalationId: o.escalationId,
      tenantId: f.tenantId,
      sessionId: f.sessionId,
      ...scope,
      ...(f.actionId ? { actionId: f.actionId } : {}),
      reason: f.reason as EscalationReason,
      count: o.count,
      lastSeenAt: at,
      triggeringEventIds: [f.triggerId],
      occurredAt: at,
    });
  }
  return out;
}

/** The fire opened the escalation: now, or before (a redelivery of the opening trigger). */
export function isOpening(f: Fire, o: OpenOutcome): boolean {
  return o.outcome === 'opened' || (o.outcome === 'duplicate' && o.firstTrigger === f.triggerId);
}

/** Who resolves an events_missing escalation when its producer's missing events arrived. */
export const LOSS_ACCOUNTING = 'system:loss-accounting';

/** `escalation.resolved` of an escalation whose cause is gone ({@link Resolution}). */
export function systemResolvedMessage(r: Pick<Resolution, 'tenantId' | 'sessionId' | 'resolvedBy' | 'notes'>, escalationId: string, nowMs: number): EscalationEvent {
  return {
    type: 'escalation.resolved',
    eventId: deterministicId('resolved-by-system', escalationId),
    escalationId,
    tenantId: r.tenantId,
    sessionId: r.sessionId,
    occurredAt: new Date(nowMs).toISOString(),
    resolvedBy: r.resolvedBy,
    notes: r.notes,
  };
}

/** Who resolves a stuck_action escalation when its action finishes. */
export const WATCHDOG = 'system:watchdog';

/**
 * The key part of the fire's open escalation: its reason, and for stuck_action also its action
 * (one escalation per stuck action, even with several in one session).
 */
export function openKeyOf(f: Fire): string {
  return f.reason === 'stuck_action' && f.actionId ? `${f.reason}:${f.actionId}` : f.reason;
}

/** Pure: what a stuck_action escalation says (the action, its tool, its deadline). */
export function stuckSummary(t: Pick<DueTimer, 'actionId' | 'tool' | 'deadlineMs'>): string {
  return `Action ${t.actionId}${t.tool ? ` of ${t.tool}` : ''} has not finished (no executed, failed or cancelled event) ${Math.round((t.deadlineMs ?? 0) / 1000)} s after it started`;
}

/** Pure: the resolve of a stuck_action escalation once its action finished (its id deterministic: one per escalation). */
export function stuckResolvedMessage(e: { tenantId: string; actionId?: string; type?: string; occurredAt?: string }, s: StuckEscalation, nowMs: number): EscalationEvent {
  return {
    type: 'escalation.resolved',
    eventId: deterministicId('resolved-finished', s.escalationId),
    escalationId: s.escalationId,
    tenantId: e.tenantId,
    sessionId: s.sessionId,
    occurredAt: new Date(nowMs).toISOString(),
    resolvedBy: WATCHDOG,
    notes: e.type ? `action ${e.actionId} finished late: ${e.type} at ${e.occurredAt}` : `action ${e.actionId} finished while the escalation opened`,
  };
}
