import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ACTION_EVENTS_TOPIC, actionEventsCodec, ESCALATIONS_TOPIC, escalationsCodec } from '@agent-ledger/contracts';
import { ConsumerHost, decodeMessage, type ConsumerBatch, type Kafka, type Rejection } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { EscalationService } from './escalation.service';
import { EscalationStore } from './escalation.store';
import { WORKER_SETTINGS, type WorkerSettings } from './worker-settings';

/**
 * The worker's three loops: action events (rules) and escalation events (acknowledge/resolve from
 * the API), each hosted by a {@link ConsumerHost} in its own group, and due confirmation timers.
 * A message the worker cannot read, or cannot apply for a data reason, goes to its topic's
 * dead-letter topic; offsets are committed only after the rest is handled.
 */
@Injectable()
export class EscalationLoops implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(EscalationLoops.name);
  private readonly actions: ConsumerHost;
  private readonly escalations: ConsumerHost;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(WORKER_SETTINGS) private readonly settings: WorkerSettings,
    private readonly service: EscalationService,
    private readonly store: EscalationStore,
    private readonly readiness: ReadinessService,
  ) {
    const common = { fromBeginning: true, sessionTimeoutMs: settings.sessionTimeoutMs };
    this.actions = new ConsumerHost(kafka, {
      ...common,
      name: 'action events consumer',
      groupId: settings.groupId,
      topics: [ACTION_EVENTS_TOPIC],
      handle: (b) => this.actionBatch(b),
    });
    this.escalations = new ConsumerHost(kafka, {
      ...common,
      name: 'escalations consumer',
      groupId: `${settings.groupId}-state`,
      topics: [ESCALATIONS_TOPIC],
      handle: (b) => this.escalationBatch(b),
    });
  }

  onApplicationBootstrap(): void {
    this.readiness.registerWorker('consumers', {
      checkReady: async () => {
        await this.actions.checkReady();
        await this.escalations.checkReady();
      },
      checkLive: async () => {
        await this.actions.checkLive();
        await this.escalations.checkLive();
      },
    });
    this.actions.start();
    this.escalations.start();
    this.timer = setInterval(() => {
      this.polling ??= this.pollTimers().finally(() => (this.polling = undefined));
    }, this.settings.timerPollMs);
    this.timer.unref();
  }

  private async actionBatch(batch: ConsumerBatch): Promise<void> {
    const rejected: Rejection[] = [];
    for (const m of batch.messages) {
      const r = decodeMessage(m, actionEventsCodec);
      if ('value' in r) await this.service.handleActionEvent(r.value);
      else rejected.push(r);
      await batch.heartbeat();
    }
    if (rejected.length) await batch.deadLetter(rejected);
  }

  private async escalationBatch(batch: ConsumerBatch): Promise<void> {
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
      this.log.warn({ err }, 'confirmation timers could not be handled; retrying at the next poll');
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling?.catch(() => undefined);
    await Promise.all([this.actions.stop(), this.escalations.stop()]);
  }
}
