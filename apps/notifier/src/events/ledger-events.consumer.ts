import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ACTION_EVENTS_TOPIC, actionEventsCodec, type ActionEvent } from '@agent-ledger/contracts';
import { decodeMessage, type ConsumerBatch, type KafkaMessage, type Rejection } from '@agent-ledger/kafka';
import { ConsumerRegistry } from '@agent-ledger/runtime';
import type { NotifierConfig } from '../config/notifier.config';
import { RedisPolicyCheck } from '../queue/redis-policy.check';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { EventSubscriptionsCache } from './event-subscriptions.cache';
import { EventWebhooksPlanner } from './event-webhooks.planner';

/** The action events topic's consumer group of the notifier: `<NOTIFIER_GROUP_ID>-events`. */
export const eventsGroupId = (notifierGroupId: string): string => `${notifierGroupId}-events`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant a message's key names (`tenantId:…`, as `actionEventKey` writes it), without reading the value. */
export function tenantOfKey(message: Pick<KafkaMessage, 'key'>): string | undefined {
  const key = message.key?.toString('utf8') ?? '';
  const colon = key.indexOf(':');
  const prefix = colon > 0 ? key.slice(0, colon) : '';
  return UUID.test(prefix) ? prefix.toLowerCase() : undefined;
}

/**
 * Consumes the action events topic in the notifier's own group, hosted by the Kafka consumer
 * transport (started once Redis's policy passed), for the webhooks subscribed to ledger events. Most events
 * are wanted by no channel: a message whose key names a tenant without such a webhook is passed
 * over without reading its value (a map lookup in the subscriptions cache). The others are decoded
 * with the topic's codec and planned in one go per slice (one subscription lookup, one insert)
 * before the offsets are committed; a transient failure retries the slice, which planning
 * tolerates. A decoded message that breaks the contract is dead-lettered (one letter per group, as
 * every consumer of the topic does). A new group starts at the end of the topic: webhooks announce
 * what happens from then on, not the topic's history.
 */
@Controller()
export class LedgerEventsConsumer {
  constructor(
    @Inject(NOTIFIER_CONFIG) config: NotifierConfig,
    private readonly subscriptions: EventSubscriptionsCache,
    private readonly planner: EventWebhooksPlanner,
    policy: RedisPolicyCheck,
    consumers: ConsumerRegistry,
  ) {
    consumers.define({
      name: 'action events consumer',
      health: 'events consumer',
      groupId: eventsGroupId(config.NOTIFIER_GROUP_ID),
      topics: [ACTION_EVENTS_TOPIC],
      fromBeginning: false,
      sessionTimeoutMs: config.NOTIFIER_SESSION_TIMEOUT_MS,
      startAfter: () => policy.passed,
    });
  }

  @EventPattern(ACTION_EVENTS_TOPIC)
  async handleBatch(@Payload() batch: ConsumerBatch): Promise<void> {
    const rejected: Rejection[] = [];
    const events: ActionEvent[] = [];
    const keyed = batch.messages.map((m) => tenantOfKey(m));
    const subscribed = await this.subscriptions.forTenants(keyed.filter((t): t is string => t !== undefined));
    for (const [i, message] of batch.messages.entries()) {
      const tenant = keyed[i];
      if (tenant !== undefined && !subscribed.get(tenant)?.subscriptions.length) continue;
      const r = decodeMessage(message, actionEventsCodec);
      if ('value' in r) events.push(r.value);
      else rejected.push(r);
    }
    await this.planner.plan(events);
    await batch.heartbeat();
    if (rejected.length) await batch.deadLetter(rejected);
  }
}
