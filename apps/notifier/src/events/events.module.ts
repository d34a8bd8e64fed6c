import { Module } from '@nestjs/common';
import { ConsumersModule } from '@agent-ledger/runtime';
import { DeliveryModule } from '../delivery/delivery.module';
import { EventSubscriptionsCache } from './event-subscriptions.cache';
import { EventSubscriptionsRepository } from './event-subscriptions.repository';
import { EventWebhooksPlanner } from './event-webhooks.planner';
import { LedgerEventsConsumer } from './ledger-events.consumer';

/** Webhooks for ledger events: the action events topic's consumer, the subscriptions and the planner. */
@Module({
  imports: [DeliveryModule, ConsumersModule],
  controllers: [LedgerEventsConsumer],
  providers: [EventSubscriptionsRepository, EventSubscriptionsCache, EventWebhooksPlanner],
})
export class EventsModule {}
