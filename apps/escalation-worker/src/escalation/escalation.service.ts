import { Injectable } from '@nestjs/common';
import type { EscalationEvent } from '@agent-ledger/contracts';
import type { EscalationSettings } from '@agent-ledger/escalation-rules';
import { agentActionAttributes, counter, createLogger, withMessageSpan } from '@agent-ledger/telemetry';
import { planActionBatch, triggerFires, type ConsumedActionEvent, type PlannedEvent } from './action-batch';
import { candidateId, cooldownOf, escalationMessages, isOpening } from './escalation-messages';
import { EscalationProducer } from './escalation.producer';
import { EscalationStore, type DueTimer, type OpenOutcome } from './escalation.store';
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
      const seen = this.store.alreadyProcessed(state, e.tenantId, e.eventId);
      const windows = this.windowTriggers.queue(state, p);
      if (p.evaluation.decidesAction) this.store.markDecided(state, e.tenantId, e.actionId!);
      if (p.evaluation.startsConfirmationTimer) {
        this.store.scheduleTimer(state, { tenantId: e.tenantId, actionId: e.actionId!, sessionId: p.sessionId, eventId: e.eventId }, p.at + p.settings.rules.confirmation_timeout.timeoutMs);
      }
      return { p, seen, windows };
    });
    await state.run();
    const fresh = steps.filter((s) => !s.seen());

    const alerts = this.store.roundTrip();
    const evaluated = fresh.map(({ p, windows }) => ({
      p,
      fires: [...triggerFires(p), ...conversationFires(p, windows)],
      crossings: this.windowTriggers.crossings(alerts, p, alertChecks(p, windows)),
    }));
    await alerts.run();

    const opens = this.store.roundTrip();
    const nowMs = Date.now();
    const firing = evaluated
      .map(({ p, fires, crossings }) => ({ p, pending: [...fires, ...crossings()].map((f) => this.queueOpen(opens, f, p.settings, nowMs)) }))
      .filter((x) => x.pending.length > 0);
    await opens.run();
    for (const { p, pending } of firing) {
      await this.publishInTrace(p, pending, nowMs);
      await heartbeat();
    }

    const done = this.store.roundTrip();
    for (const { p } of fresh) this.store.markProcessed(done, p.event.tenantId, p.event.eventId);
    await done.run();
  }

  /** A confirmation timer is due: it fires only if the action is still undecided. */
  async handleDueTimer(t: DueTimer): Promise<void> {
    if (!(await this.store.isDecided(t.tenantId, t.actionId))) {
      const s = await this.settings.settingsOf(t.tenantId);
      if (s.rules.confirmation_timeout.enabled) {
        const fire: Fire = { tenantId: t.tenantId, sessionId: t.sessionId, actionId: t.actionId, reason: 'confirmation_timeout', summary: `Action ${t.actionId} awaits approval for over ${Math.round(s.rules.confirmation_timeout.timeoutMs / 1000)} s`, triggerId: t.eventId };
        await this.openAndPublish(fire, s);
      }
    }
    await this.store.removeTimer(t.member);
  }

  /** Opens (or folds) one fire outside a batch (a due timer, a finding) and publishes its messages. */
  async openAndPublish(fire: Fire, s: EscalationSettings): Promise<void> {
    const rt = this.store.roundTrip();
    const nowMs = Date.now();
    const pending = this.queueOpen(rt, fire, s, nowMs);
    await rt.run();
    await this.publish([pending], nowMs);
  }

  /** An acknowledge or resolve from the API: the worker's open state follows it. */
  async handleEscalationEvent(e: EscalationEvent): Promise<void> {
    if (e.type === 'escalation.acknowledged') await this.store.applyStatus(e.escalationId, 'acknowledged');
    if (e.type === 'escalation.resolved') await this.store.applyStatus(e.escalationId, 'resolved');
  }

  private queueOpen(rt: RedisRoundTrip, f: Fire, s: EscalationSettings, nowMs: number): PendingFire {
    return { fire: f, settings: s, outcome: this.store.openOrFold(rt, f.tenantId, f.sessionId, f.reason, candidateId(f), f.triggerId, nowMs, cooldownOf(f, s), !!f.tenantAlert) };
  }

  /** Publishes in a span of the event's own trace: the escalations it opens continue that trace. */
  private publishInTrace(p: PlannedEvent, pending: PendingFire[], nowMs: number): Promise<void> {
    const e = p.event;
    return withMessageSpan('escalation-worker evaluate', p.headers, () => this.publish(pending, nowMs), { ...agentActionAttributes(e), 'agent_ledger.tenant.id': e.tenantId, 'agent_ledger.event.id': e.eventId });
  }

  private async publish(pending: PendingFire[], nowMs: number): Promise<void> {
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
    if (out.length) await this.producer.publish(out);
  }
}
