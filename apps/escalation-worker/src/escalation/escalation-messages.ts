import type { EscalationEvent, EscalationReason } from '@agent-ledger/contracts';
import type { EscalationSettings } from '@agent-ledger/escalation-rules';
import { deterministicId } from './deterministic-id';
import type { OpenOutcome } from './escalation.store';
import type { Fire } from './fire';

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
