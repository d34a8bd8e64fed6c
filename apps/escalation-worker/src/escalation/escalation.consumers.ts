import { Controller, Inject, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ACTION_EVENTS_TOPIC, actionEventsCodec, ESCALATIONS_TOPIC, escalationsCodec } from '@agent-ledger/contracts';
import { decodeMessage, type ConsumerBatch, type Rejection } from '@agent-ledger/kafka';
import { ConsumerRegistry } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import type { ConsumedActionEvent } from './action-batch';
import { EscalationService } from './escalation.service';
import { EscalationStore } from './escalation.store';
import { WORKER_SETTINGS, type WorkerSettings } from './worker-settings';

/**
 * The worker's three loops: action events (rules) and escalation events (acknowledge/resolve from
 * the API), each a consumer in its own group hosted by the Kafka consumer transport (a
 * ConsumerHost each), and due timers (confirmation, stuck action).
 * A message the worker cannot read, or cannot apply for a data reason, goes to its topic's
 * dead-letter topic; offsets are committed only after the rest is handled.
 */
@Controller()
export class EscalationLoops implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(EscalationLoops.name);
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(WORKER_SETTINGS) private readonly settings: WorkerSettings,
    private readonly service: EscalationService,
    private readonly store: EscalationStore,
    consumers: ConsumerRegistry,
  ) {
    const common = { fromBeginning: true, sessionTimeoutMs: settings.sessionTimeoutMs };
    consumers.define({
      ...common,
      name: 'action events consumer',
      health: 'consumer',
      groupId: settings.groupId,
      topics: [ACTION_EVENTS_TOPIC],
    });
    consumers.define({
      ...common,
      name: 'escalations consumer',
      health: 'escalations-consumer',
      groupId: `${settings.groupId}-state`,
      topics: [ESCALATIONS_TOPIC],
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.polling ??= this.pollTimers().finally(() => (this.polling = undefined));
    }, this.settings.timerPollMs);
    this.timer.unref();
  }

  /** The batch is evaluated as a whole (EscalationService.handleActionBatch); unreadable messages go to the dead-letter topic. */
  @EventPattern(ACTION_EVENTS_TOPIC)
  async actionBatch(@Payload() batch: ConsumerBatch): Promise<void> {
    const rejected: Rejection[] = [];
    const events: ConsumedActionEvent[] = [];
    for (const m of batch.messages) {
      const r = decodeMessage(m, actionEventsCodec);
      if ('value' in r) events.push({ event: r.value, headers: m.headers });
      else rejected.push(r);
    }
    await this.service.handleActionBatch(events, () => batch.heartbeat());
    await batch.heartbeat();
    if (rejected.length) await batch.deadLetter(rejected);
  }

  @EventPattern(ESCALATIONS_TOPIC)
  async escalationBatch(@Payload() batch: ConsumerBatch): Promise<void> {
    const rejected: Rejection[] = [];
    for (const m of batch.messages) {
      const r = decodeMessage(m, escalationsCodec);
      if ('value' in r) await this.service.handleEscalationEvent(r.value);
      else rejected.push(r);
      await batch.heartbeat();
    }
    if (rejected.length) await batch.deadLetter(rejected);
  }

  private async pollTimers(): Promise<void> {
    try {
      for (;;) {
        const due = await this.store.dueTimers(Date.now(), 100);
        for (const t of due) await this.service.handleDueTimer(t);
        if (due.length < 100 || this.stopped) return;
      }
    } catch (err) {
      this.log.warn({ err }, 'due timers could not be handled; retrying at the next poll');
    }
  }

  /** After the consumers stopped (the service's shutdown stops them first). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling?.catch(() => undefined);
  }
}
