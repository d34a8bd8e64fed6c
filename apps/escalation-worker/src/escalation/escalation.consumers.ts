import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ACTION_EVENTS_TOPIC, ESCALATIONS_TOPIC, validateActionEvent, validateEscalationEvent, type ActionEvent, type EscalationEvent } from '@agent-ledger/contracts';
import { BatchConsumerRunner, type Kafka, type PartitionBatch } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import { counter, createLogger } from '@agent-ledger/telemetry';
import { EscalationService } from './escalation.service';
import { EscalationStore } from './escalation.store';
import { WORKER_SETTINGS, type WorkerSettings } from './worker-settings';

const skipped = () => counter('ledger_escalation_worker_skipped_total', 'Messages the worker could not read (the projector sends them to the DLQ)', ['topic']);

/**
 * The worker's three loops: action events (rules), escalation events (acknowledge/resolve from the
 * API), and due confirmation timers. Consumers start in the background with retry and stop on
 * shutdown after the batch in flight; offsets are committed only after a batch is fully handled.
 */
@Injectable()
export class EscalationLoops implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(EscalationLoops.name);
  private readonly runners: BatchConsumerRunner[] = [];
  private starting?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(WORKER_SETTINGS) private readonly settings: WorkerSettings,
    private readonly service: EscalationService,
    private readonly store: EscalationStore,
    private readonly readiness: ReadinessService,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: 'consumers',
      check: async () => {
        if (this.runners.length < 2 || this.runners.some((r) => !r.isRunning)) throw new Error('escalation consumers are not running');
      },
    });
    this.starting = this.start();
    this.timer = setInterval(() => {
      this.polling ??= this.pollTimers().finally(() => (this.polling = undefined));
    }, this.settings.timerPollMs);
    this.timer.unref();
  }

  private async start(): Promise<void> {
    const specs = [
      { groupId: this.settings.groupId, topic: ACTION_EVENTS_TOPIC, handle: (b: PartitionBatch) => this.actionBatch(b) },
      { groupId: `${this.settings.groupId}-state`, topic: ESCALATIONS_TOPIC, handle: (b: PartitionBatch) => this.escalationBatch(b) },
    ];
    for (const spec of specs) {
      let delay = 1_000;
      while (!this.stopped) {
        const runner = new BatchConsumerRunner(this.kafka, { groupId: spec.groupId, topics: [spec.topic], handleBatch: spec.handle, sessionTimeoutMs: 10_000 });
        try {
          await runner.start();
          this.runners.push(runner);
          this.log.info({ groupId: spec.groupId, topic: spec.topic }, 'consuming');
          break;
        } catch (err) {
          this.log.warn({ err, retryInMs: delay }, `could not start the consumer of ${spec.topic}`);
          await runner.stop().catch(() => undefined);
          await new Promise((r) => setTimeout(r, delay).unref());
          delay = Math.min(delay * 2, 30_000);
        }
      }
    }
  }

  private async actionBatch(batch: PartitionBatch): Promise<void> {
    for (const m of batch.messages) {
      const event = parse<ActionEvent>(m.value, validateActionEvent);
      if (!event) {
        skipped().inc({ topic: batch.topic });
        continue;
      }
      await this.service.handleActionEvent(event);
    }
  }

  private async escalationBatch(batch: PartitionBatch): Promise<void> {
    for (const m of batch.messages) {
      const event = parse<EscalationEvent>(m.value, validateEscalationEvent);
      if (event) await this.service.handleEscalationEvent(event);
      else skipped().inc({ topic: batch.topic });
    }
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
    await this.starting?.catch(() => undefined);
    await this.polling?.catch(() => undefined);
    await Promise.all(this.runners.map((r) => r.stop()));
  }
}

function parse<T>(value: Buffer | null, validate: (v: unknown) => { ok: true; value: T } | { ok: false }): T | undefined {
  if (!value) return undefined;
  try {
    const r = validate(JSON.parse(value.toString('utf8')));
    return r.ok ? r.value : undefined;
  } catch {
    return undefined;
  }
}
