import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ESCALATIONS_TOPIC, validateEscalationEvent } from '@agent-ledger/contracts';
import { BatchConsumerRunner, type Kafka, type PartitionBatch } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import { counter, createLogger } from '@agent-ledger/telemetry';
import type { NotifierConfig } from '../config/notifier.config';
import { NotificationPlanner } from '../delivery/notification-planner.service';
import { RedisPolicyCheck } from '../queue/redis-policy.check';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';

const rejected = () => counter('ledger_notifier_rejected_events_total', 'Escalation events the notifier could not read (skipped)', ['reason']);

/**
 * Consumes the escalations topic in the notifier's group (kafkajs batches, started in the
 * background once Redis's policy passed, retried while Kafka is unreachable). Each valid event is
 * planned into deliveries before the batch's offsets are committed; a failure (PostgreSQL or Redis
 * away) retries the batch, which planning tolerates (it is idempotent). Unreadable messages are
 * logged, counted and skipped: the producer validated them, so they are not ours to retry.
 */
@Injectable()
export class EscalationsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(EscalationsConsumer.name);
  private runner?: BatchConsumerRunner;
  private starting?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    private readonly planner: NotificationPlanner,
    private readonly policy: RedisPolicyCheck,
    private readonly readiness: ReadinessService,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: 'consumer',
      check: async () => {
        if (!this.runner?.isRunning) throw new Error('escalation consumer is not running');
      },
    });
    this.starting = this.policy.passed.then(() => this.startWithRetry());
  }

  private async startWithRetry(): Promise<void> {
    let delay = 1_000;
    while (!this.stopped) {
      const runner = new BatchConsumerRunner(this.kafka, {
        groupId: this.config.NOTIFIER_GROUP_ID,
        topics: [ESCALATIONS_TOPIC],
        fromBeginning: true,
        sessionTimeoutMs: this.config.NOTIFIER_SESSION_TIMEOUT_MS,
        handleBatch: (batch) => this.handleBatch(batch),
      });
      try {
        await runner.start();
        if (this.stopped) {
          await runner.stop();
          return;
        }
        this.runner = runner;
        this.log.info({ groupId: this.config.NOTIFIER_GROUP_ID, topic: ESCALATIONS_TOPIC }, 'consuming escalation events');
        return;
      } catch (err) {
        this.log.warn({ err, retryInMs: delay }, 'could not start the escalation consumer');
        await runner.stop().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  private async handleBatch(batch: PartitionBatch): Promise<void> {
    for (const message of batch.messages) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.value?.toString('utf8') ?? '');
      } catch {
        rejected().inc({ reason: 'not_json' });
        this.log.warn({ partition: batch.partition, offset: message.offset }, 'escalation message is not JSON; skipped');
        continue;
      }
      const valid = validateEscalationEvent(parsed);
      if (!valid.ok) {
        rejected().inc({ reason: 'invalid' });
        this.log.warn({ partition: batch.partition, offset: message.offset, errors: valid.errors.slice(0, 5) }, 'escalation event is invalid; skipped');
        continue;
      }
      await this.planner.plan(valid.value);
      await batch.heartbeat();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    // A start in progress stops itself; waiting for it is bounded (Redis or Kafka may never come).
    await Promise.race([this.starting?.catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await this.runner?.stop();
  }
}
