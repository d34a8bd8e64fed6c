import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ESCALATIONS_TOPIC, validateEscalationEvent, type EscalationEvent } from '@agent-ledger/contracts';
import { BatchConsumerRunner, type Kafka, type PartitionBatch } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import { counter, createLogger } from '@agent-ledger/telemetry';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { EscalationsRepository } from './escalations.repository';

const unreadable = () => counter('ledger_projector_escalation_messages_skipped_total', 'Escalation messages that were not valid escalation events');

/**
 * Persists the escalations topic (the database has one writer): a batch is applied in one
 * transaction, idempotently by event id, and committed to Kafka after. An invalid message is logged,
 * counted and skipped — escalation events are produced by the ledger's own services, so one that
 * fails validation is a bug to see in the logs, not data to keep.
 */
@Injectable()
export class EscalationsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(EscalationsConsumer.name);
  private runner?: BatchConsumerRunner;
  private starting?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
    private readonly repository: EscalationsRepository,
    private readonly readiness: ReadinessService,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: 'escalations-consumer',
      check: async () => {
        if (!this.runner?.isRunning) throw new Error('escalations consumer is not running');
      },
    });
    this.starting = this.start();
  }

  private async start(): Promise<void> {
    let delay = 1_000;
    while (!this.stopped) {
      const runner = new BatchConsumerRunner(this.kafka, {
        groupId: `${this.settings.groupId}-escalations`,
        topics: [ESCALATIONS_TOPIC],
        fromBeginning: true,
        sessionTimeoutMs: this.settings.sessionTimeoutMs,
        handleBatch: (b) => this.handle(b),
      });
      try {
        await runner.start();
        this.runner = runner;
        return;
      } catch (err) {
        this.log.warn({ err, retryInMs: delay }, 'could not start the escalations consumer');
        await runner.stop().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  private async handle(batch: PartitionBatch): Promise<void> {
    const events: EscalationEvent[] = [];
    for (const m of batch.messages) {
      try {
        const r = validateEscalationEvent(JSON.parse(m.value?.toString('utf8') ?? 'null'));
        if (r.ok) {
          events.push(r.value);
          continue;
        }
        this.log.error({ offset: m.offset, partition: batch.partition, errors: r.errors }, 'invalid escalation event skipped');
      } catch {
        this.log.error({ offset: m.offset, partition: batch.partition }, 'unreadable escalation message skipped');
      }
      unreadable().inc();
    }
    if (events.length) await this.repository.apply(events);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    await this.runner?.stop();
  }
}
