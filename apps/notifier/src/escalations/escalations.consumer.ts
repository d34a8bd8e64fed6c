import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ESCALATIONS_TOPIC, escalationsCodec } from '@agent-ledger/contracts';
import { decodeMessage, type ConsumerBatch, type Rejection } from '@agent-ledger/kafka';
import { ConsumerRegistry } from '@agent-ledger/runtime';
import { withMessageSpan } from '@agent-ledger/telemetry';
import type { NotifierConfig } from '../config/notifier.config';
import { NotificationPlanner } from '../delivery/notification-planner.service';
import { RedisPolicyCheck } from '../queue/redis-policy.check';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';

/**
 * Consumes the escalations topic in the notifier's group, hosted by the Kafka consumer transport
 * (started once Redis's policy passed). Each valid event is planned into deliveries before the offsets are
 * committed; a transient failure (PostgreSQL or Redis away) retries, which planning tolerates (it
 * is idempotent). An unreadable or invalid message, or one PostgreSQL refuses, is dead-lettered to
 * the escalations dead-letter topic and the rest goes on.
 */
@Controller()
export class EscalationsConsumer {
  constructor(
    @Inject(NOTIFIER_CONFIG) config: NotifierConfig,
    private readonly planner: NotificationPlanner,
    policy: RedisPolicyCheck,
    consumers: ConsumerRegistry,
  ) {
    consumers.define({
      name: 'escalations consumer',
      health: 'consumer',
      groupId: config.NOTIFIER_GROUP_ID,
      topics: [ESCALATIONS_TOPIC],
      fromBeginning: true,
      sessionTimeoutMs: config.NOTIFIER_SESSION_TIMEOUT_MS,
      startAfter: () => policy.passed,
    });
  }

  @EventPattern(ESCALATIONS_TOPIC)
  async handleBatch(@Payload() batch: ConsumerBatch): Promise<void> {
    const rejected: Rejection[] = [];
    for (const message of batch.messages) {
      const r = decodeMessage(message, escalationsCodec);
      if (!('value' in r)) {
        rejected.push(r);
        continue;
      }
      // In the span of the escalation's own trace: the jobs planned carry it to the deliveries.
      const event = r.value;
      await withMessageSpan('notifier plan', message.headers, () => this.planner.plan(event), { 'agent_ledger.tenant.id': event.tenantId, 'agent_ledger.escalation.id': event.escalationId, 'agent_ledger.event.type': event.type });
      await batch.heartbeat();
    }
    if (rejected.length) await batch.deadLetter(rejected);
  }
}
