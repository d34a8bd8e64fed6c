import { Injectable } from '@nestjs/common';
import type { EscalationEvent } from '@agent-ledger/contracts';
import type { EscalationSettings } from '@agent-ledger/escalation-rules';
import { agentActionAttributes, counter, createLogger, withMessageSpan } from '@agent-ledger/telemetry';
import { planActionBatch, triggerFires, type ConsumedActionEvent, type PlannedEvent } from './action-batch';
import { candidateId, cooldownOf, escalationMessages, isOpening, openKeyOf, stuckResolvedMessage, stuckSummary, systemResolvedMessage } from './escalation-messages';
import { EscalationProducer } from './escalation.producer';
import { EscalationStore, type DueTimer, type OpenOutcome } from './escalation.store';
import type { Resolution } from './finding-source';
import type { Fire } from './fire';
import type { Answer, RedisRoundTrip } from './redis-round-trip';
import { RuleSettingsRepository } from './rule-settings.repository';
import { alertChecks, conversationFires, WindowTriggers } from './window-triggers';

const escalationsOpened = () => counter('ledger_escalations_opened_total', 'Escalations opened by the worker', ['reason']);
const triggersFolded = () => counter('ledger_escalation_triggers_folded_total', 'Triggers folded into an open escalation', ['reason']);
const alertsSuppressed = () => counter('ledger_escalation_alerts_suppressed_total', 'Tenant alert crossings suppressed by the cooldown after a resolve', ['reason']);

/** A fire whose open/fold step is queued. */
interface PendingFire {
  fire: Fire;
  settings: EscalationSettings;
  outcome: Answer<OpenOutcome>;
}

/**
 * Turns action events and due timers into escalation events. A batch of action events is evaluated
 * in memory; only the events that touch the worker's state reach Redis, in at most four round trips
 * per batch whatever its size: (1) seen marks, windows, decisions and timers, (2) the crossings of
 * tenant alerts, (3) opening or folding what fired, (4) the seen marks of the handled events, set
 * after their messages are published. Every step is idempotent on the triggering event: windows
 * count an event once, a trigger folds once, and the messages of a trigger have deterministic ids —
 * a redelivered event re-publishes what consumers have already seen.
 */
@Injectable()
export class EscalationService {
  private readonly log = createLogger(EscalationService.name);

  constructor(
    private readonly store: EscalationStore,
    private readonly settings: RuleSettingsRepository,
    private readonly producer: EscalationProducer,
    private readonly windowTriggers: WindowTriggers,
  ) {}

  /** `heartbeat` is called after each event's publication: a batch with many escalations keeps its consumer in the group. */
  async handleActionBatch(items: readonly ConsumedActionEvent[], heartbeat: () => Promise<void> = async () => undefined): Promise<void> {
    if (!items.length) return;
    const tenants = [...new Set(items.map((i) => i.event.tenantId))];
    const settings = new Map(await Promise.all(tenants.map(async (t) => [t, await this.settings.settingsOf(t)] as const)));
    const planned = planActionBatch(items, (t) => settings.get(t)!);
    if (!planned.length) return;

    const state = this.store.roundTrip();
    const steps = planned.map((p) => {
      const e = p.event;
      const seen = p.remembered ? this.store.alreadyProcessed(state, e.tenantId, e.eventId) : () => false;
      const windows = this.windowTriggers.queue(state, p);
      if (p.evaluation.decidesAction) this.store.markDecided(state, e.tenantId, e.actionId!);
      const stuck = p.evaluation.finishesAction ? this.store.finishAction(state, e.tenantId, e.actionId!) : undefined;
      for (const t of p.evaluation.timers) {
        const tool = t.kind === 'stuck' && e.tool ? `${e.tool.name} (${e.tool.riskLevel})` : undefined;
        this.store.scheduleTimer(state, { kind: t.kind, tenantId: e.tenantId, actionId: e.actionId!, sessionId: p.sessionId, eventId: e.eventId, tool, deadlineMs: t.kind === 'stuck' ? t.afterMs : undefined }, p.at + t.afterMs, t.replaces);
      }
      return { p, seen, windows, stuck };
    });
    await state.run();
    const fresh = steps.filter((s) => !s.seen());
    // A terminal event resolves its action's stuck_action escalation while that one is open, also on
    // redelivery (the resolve message has a deterministic id; the open state is cleared after it).
    const resolves = new Map(steps.flatMap(({ p, stuck }) => (stuck?.() ? [[p, stuckResolvedMessage(p.event, stuck()!, Date.now())] as const] : [])));

    const alerts = this.store.roundTrip();
    const evaluated = fresh.map(({ p, windows }) => ({
      p,
      fires: [...triggerFires(p), ...conversationFires(p, windows)],
      crossings: this.windowTriggers.crossings(alerts, p, alertChecks(p, windows)),
    }));
    await alerts.run();

    const opens = this.store.roundTrip();
    const nowMs = Date.now();
    const queued = new Map(evaluated.map(({ p, fires, crossings }) => [p, [...fires, ...crossings()].map((f) => this.queueOpen(opens, f, p.settings, nowMs))] as const));
    const firing = steps.map(({ p }) => ({ p, pending: queued.get(p) ?? [] })).filter((x) => x.pending.length > 0 || resolves.has(x.p));
    await opens.run();
    for (const { p, pending } of firing) {
      await this.publishInTrace(p, pending, nowMs, resolves.get(p));
      await heartbeat();
    }

    const done = this.store.roundTrip();
    for (const { p } of fresh) if (p.remembered) this.store.markProcessed(done, p.event.tenantId, p.event.eventId);
    for (const r of resolves.values()) this.store.clearOpen(done, r.escalationId);
    await done.run();
  }

  /** A timer is due: a confirmation timer fires if the action is still undecided, a stuck timer if it is still unfinished. */
  async handleDueTimer(t: DueTimer): Promise<void> {
    if (t.kind === 'stuck') return this.handleStuckTimer(t);
    if (!(await this.store.isDecided(t.tenantId, t.actionId))) {
      const s = await this.settings.settingsOf(t.tenantId);
      if (s.rules.confirmation_timeout.enabled) {
        const fire: Fire = { tenantId: t.tenantId, sessionId: t.sessionId, actionId: t.actionId, reason: 'confirmation_timeout', summary: `Action ${t.actionId} awaits approval for over ${Math.round(s.rules.confirmation_timeout.timeoutMs / 1000)} s`, triggerId: t.eventId };
        await this.openAndPublish(fire, s);
      }
    }
    await this.store.completeTimer(t);
  }

  /**
   * One stuck_action escalation per action, in the action's session. A crash before the timer is
   * completed fires it again: the open step answers a duplicate and re-publishes the same messages.
   * An action that finished while the escalation opened gets it resolved at once.
   */
  private async handleStuckTimer(t: DueTimer): Promise<void> {
    const s = await this.settings.settingsOf(t.tenantId);
    if ((await this.store.isFinished(t.tenantId, t.actionId)) || !s.rules.stuck_action.enabled) return void (await this.store.completeTimer(t));
    const fire: Fire = { tenantId: t.tenantId, sessionId: t.sessionId, actionId: t.actionId, reason: 'stuck_action', summary: stuckSummary(t), triggerId: t.eventId };
    const o = await this.openAndPublish(fire, s);
    const fired = { escalationId: o.escalationId, sessionId: t.sessionId };
    if (await this.store.completeTimer(t, fired)) {
      await this.producer.publish([stuckResolvedMessage({ tenantId: t.tenantId, actionId: t.actionId }, fired, Date.now())]);
      await this.store.applyStatus(o.escalationId, 'resolved');
    }
  }

  /** Opens (or folds) one fire outside a batch (a due timer, a finding) and publishes its messages; answers the outcome. */
  async openAndPublish(fire: Fire, s: EscalationSettings): Promise<OpenOutcome> {
    const rt = this.store.roundTrip();
    const nowMs = Date.now();
    const pending = this.queueOpen(rt, fire, s, nowMs);
    await rt.run();
    await this.publish([pending], nowMs);
    return pending.outcome();
  }

  /**
   * Resolves the escalation open for the resolution's session and reason, if one is: publishes
   * `escalation.resolved` (its id derived from the escalation's, so a crash before the open state is
   * cleared re-publishes the same message) and clears the open state. Answers whether one was open.
   */
  async resolveOpen(r: Resolution): Promise<boolean> {
    const escalationId = await this.store.openEscalationOf(r.tenantId, r.sessionId, r.reason);
    if (!escalationId) return false;
    await this.producer.publish([systemResolvedMessage(r, escalationId, Date.now())]);
    await this.store.applyStatus(escalationId, 'resolved');
    this.log.info({ tenantId: r.tenantId, sessionId: r.sessionId, reason: r.reason, escalationId, resolvedBy: r.resolvedBy }, 'escalation resolved: its cause is gone');
    return true;
  }

  /** An acknowledge or resolve from the API: the worker's open state follows it. */
  async handleEscalationEvent(e: EscalationEvent): Promise<void> {
    if (e.type === 'escalation.acknowledged') await this.store.applyStatus(e.escalationId, 'acknowledged');
    if (e.type === 'escalation.resolved') await this.store.applyStatus(e.escalationId, 'resolved');
  }

  private queueOpen(rt: RedisRoundTrip, f: Fire, s: EscalationSettings, nowMs: number): PendingFire {
    return { fire: f, settings: s, outcome: this.store.openOrFold(rt, f.tenantId, f.sessionId, openKeyOf(f), candidateId(f), f.triggerId, nowMs, cooldownOf(f, s), !!f.tenantAlert) };
  }

  /** Publishes in a span of the event's own trace: the escalations it opens continue that trace. */
  private publishInTrace(p: PlannedEvent, pending: PendingFire[], nowMs: number, resolve?: EscalationEvent): Promise<void> {
    const e = p.event;
    return withMessageSpan('escalation-worker evaluate', p.headers, () => this.publish(pending, nowMs, resolve ? [resolve] : []), { ...agentActionAttributes(e), 'agent_ledger.tenant.id': e.tenantId, 'agent_ledger.event.id': e.eventId });
  }

  private async publish(pending: PendingFire[], nowMs: number, after: EscalationEvent[] = []): Promise<void> {
    const out: EscalationEvent[] = [];
    for (const { fire: f, settings, outcome } of pending) {
      const o = outcome();
      if (o.outcome === 'suppressed') {
        alertsSuppressed().inc({ reason: f.reason });
        this.log.info({ tenantId: f.tenantId, reason: f.reason, lastEscalationId: o.escalationId }, 'tenant alert within its cooldown after a resolve; suppressed');
        continue;
      }
      out.push(...escalationMessages(f, o, settings, nowMs));
      if (o.outcome === 'opened') escalationsOpened().inc({ reason: f.reason });
      if (o.outcome === 'folded') triggersFolded().inc({ reason: f.reason });
      this.log.info({ tenantId: f.tenantId, sessionId: f.sessionId, reason: f.reason, escalationId: o.escalationId, outcome: o.outcome, count: o.count, opening: isOpening(f, o) }, 'escalation trigger');
    }
    out.push(...after);
    for (const r of after) this.log.info({ tenantId: r.tenantId, sessionId: r.sessionId, escalationId: r.escalationId }, 'stuck action finished; escalation resolved');
    if (out.length) await this.producer.publish(out);
  }
}
