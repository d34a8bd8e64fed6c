import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ESCALATIONS_TOPIC, escalationsCodec } from '@agent-ledger/contracts';
import { ConsumerHost, decodeMessage, type ConsumerBatch, type Kafka, type Rejection } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import type { NotifierConfig } from '../config/notifier.config';
import { NotificationPlanner } from '../delivery/notification-planner.service';
import { RedisPolicyCheck } from '../queue/redis-policy.check';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';

/**
 * Consumes the escalations topic in the notifier's group, hosted by {@link ConsumerHost} (started
 * once Redis's policy passed). Each valid event is planned into deliveries before the offsets are
 * committed; a transient failure (PostgreSQL or Redis away) retries, which planning tolerates (it
 * is idempotent). An unreadable or invalid message, or one PostgreSQL refuses, is dead-lettered to
 * the escalations dead-letter topic and the rest goes on.
 */
@Injectable()
export class EscalationsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly host: ConsumerHost;
  private starting?: Promise<void>;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(NOTIFIER_CONFIG) config: NotifierConfig,
    private readonly planner: NotificationPlanner,
    private readonly policy: RedisPolicyCheck,
    private readonly readiness: ReadinessService,
  ) {
    this.host = new ConsumerHost(kafka, {
      name: 'escalations consumer',
      groupId: config.NOTIFIER_GROUP_ID,
      topics: [ESCALATIONS_TOPIC],
      fromBeginning: true,
      sessionTimeoutMs: config.NOTIFIER_SESSION_TIMEOUT_MS,
      handle: (batch) => this.handleBatch(batch),
    });
  }

  onApplicationBootstrap(): void {
    this.readiness.registerWorker('consumer', this.host);
    this.starting = this.policy.passed.then(() => this.host.start());
  }

  private async handleBatch(batch: ConsumerBatch): Promise<void> {
    const rejected: Rejection[] = [];
    for (const message of batch.messages) {
      const r = decodeMessage(message, escalationsCodec);
      if (!('value' in r)) {
        rejected.push(r);
        continue;
      }
      await this.planner.plan(r.value);
      await batch.heartbeat();
    }
    if (rejected.length) await batch.deadLetter(rejected);
  }

  async onModuleDestroy(): Promise<void> {
    // A start waiting for Redis's policy is bounded: Redis may never come.
    await Promise.race([this.starting?.catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await this.host.stop();
  }
}
