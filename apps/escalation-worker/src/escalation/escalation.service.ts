import { Injectable } from '@nestjs/common';
import type { ActionEvent, EscalationEvent, EscalationReason } from '@agent-ledger/contracts';
import { evaluate, WINDOW_SAMPLE_CAP, type EscalationSettings } from '@agent-ledger/escalation-rules';
import { counter, createLogger } from '@agent-ledger/telemetry';
import { deterministicId } from './deterministic-id';
import { EscalationProducer } from './escalation.producer';
import { EscalationStore, type DueTimer } from './escalation.store';
import type { Fire } from './fire';
import { RuleSettingsRepository } from './rule-settings.repository';
import { WindowTriggers } from './window-triggers';
import { WindowStore } from './window.store';

const escalationsOpened = () => counter('ledger_escalations_opened_total', 'Escalations opened by the worker', ['reason']);
const triggersFolded = () => counter('ledger_escalation_triggers_folded_total', 'Triggers folded into an open escalation', ['reason']);
const alertsSuppressed = () => counter('ledger_escalation_alerts_suppressed_total', 'Tenant alert crossings suppressed by the cooldown after a resolve', ['reason']);

/**
 * Turns action events and due timers into escalation events. Every step is idempotent on the
 * triggering event: windows count an event once, a trigger folds once, and the messages of a trigger
 * have deterministic ids — a redelivered event re-publishes what consumers have already seen.
 */
@Injectable()
export class EscalationService {
  private readonly log = createLogger(EscalationService.name);

  constructor(
    private readonly store: EscalationStore,
    private readonly settings: RuleSettingsRepository,
    private readonly producer: EscalationProducer,
    private readonly windows: WindowStore,
    private readonly windowTriggers: WindowTriggers,
  ) {}

  async handleActionEvent(e: ActionEvent): Promise<void> {
    if (await this.store.alreadyProcessed(e.tenantId, e.eventId)) return;
    const s = await this.settings.settingsOf(e.tenantId);
    const ev = evaluate(e, s);
    const sessionId = sessionOf(e);
    const fires: Fire[] = ev.triggers.map((t) => ({ tenantId: e.tenantId, sessionId, actionId: e.actionId, reason: t.reason, summary: t.summary, triggerId: e.eventId }));

    if (ev.countsAsFailure) {
      const rule = s.rules.error_threshold;
      const n = await this.windows.count(`fail:${e.tenantId}:${sessionId}`, e.eventId, Date.parse(e.occurredAt), rule.windowMs, WINDOW_SAMPLE_CAP);
      if (n >= rule.threshold) {
        fires.push({ tenantId: e.tenantId, sessionId, actionId: e.actionId, reason: 'error_threshold', summary: `${n} failed actions in session ${sessionId} within ${Math.round(rule.windowMs / 1000)} s`, triggerId: e.eventId });
      }
    }
    fires.push(...(await this.windowTriggers.evaluate(e, s)));
    if (ev.decidesAction) await this.store.markDecided(e.tenantId, e.actionId!);
    if (ev.startsConfirmationTimer && !(await this.store.isDecided(e.tenantId, e.actionId!))) {
      await this.store.scheduleTimer({ tenantId: e.tenantId, actionId: e.actionId!, sessionId, eventId: e.eventId }, Date.parse(e.occurredAt) + s.rules.confirmation_timeout.timeoutMs);
    }
    for (const f of fires) await this.fire(f, s);
    await this.store.markProcessed(e.tenantId, e.eventId);
  }

  /** A confirmation timer is due: it fires only if the action is still undecided. */
  async handleDueTimer(t: DueTimer): Promise<void> {
    if (!(await this.store.isDecided(t.tenantId, t.actionId))) {
      const s = await this.settings.settingsOf(t.tenantId);
      if (s.rules.confirmation_timeout.enabled) {
        await this.fire(
          { tenantId: t.tenantId, sessionId: t.sessionId, actionId: t.actionId, reason: 'confirmation_timeout', summary: `Action ${t.actionId} awaits approval for over ${Math.round(s.rules.confirmation_timeout.timeoutMs / 1000)} s`, triggerId: t.eventId },
          s,
        );
      }
    }
    await this.store.removeTimer(t.member);
  }

  /** An acknowledge or resolve from the API: the worker's open state follows it. */
  async handleEscalationEvent(e: EscalationEvent): Promise<void> {
    if (e.type === 'escalation.acknowledged') await this.store.applyStatus(e.escalationId, 'acknowledged');
    if (e.type === 'escalation.resolved') await this.store.applyStatus(e.escalationId, 'resolved');
  }

  private async fire(f: Fire, s: EscalationSettings): Promise<void> {
    const rule = s.rules[f.reason];
    const now = Date.now();
    const candidate = deterministicId('escalation', f.tenantId, f.sessionId, f.reason, f.triggerId);
    const cooldownMs = f.tenantAlert?.cooldownMs ?? s.cooldownMs;
    const o = await this.store.openOrFold(f.tenantId, f.sessionId, f.reason, candidate, f.triggerId, now, cooldownMs, !!f.tenantAlert);
    if (o.outcome === 'suppressed') {
      alertsSuppressed().inc({ reason: f.reason });
      this.log.info({ tenantId: f.tenantId, reason: f.reason, lastEscalationId: o.escalationId }, 'tenant alert within its cooldown after a resolve; suppressed');
      return;
    }
    const at = new Date(now).toISOString();
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
    const isOpening = o.outcome === 'opened' || (o.outcome === 'duplicate' && o.firstTrigger === f.triggerId);
    if (isOpening) {
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
      if (o.outcome === 'opened') escalationsOpened().inc({ reason: f.reason });
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
      if (o.outcome === 'folded') triggersFolded().inc({ reason: f.reason });
    }
    await this.producer.publish(out);
    this.log.info({ tenantId: f.tenantId, sessionId: f.sessionId, reason: f.reason, escalationId: o.escalationId, outcome: o.outcome, count: o.count }, 'escalation trigger');
  }
}

/** Escalations are per conversation; an event without a session falls back to its action. */
export function sessionOf(e: ActionEvent): string {
  return e.sessionId ?? (e.actionId ? `action:${e.actionId}` : 'no-session');
}
