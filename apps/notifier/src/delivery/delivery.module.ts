import { Module } from '@nestjs/common';
import { RedisPolicyCheck } from '../queue/redis-policy.check';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliverySweeper } from './delivery-sweeper.service';
import { NotificationPlanner } from './notification-planner.service';
import { NotificationQueue } from './notification.queue';

/** Deliveries: planning from escalation events, the queues' producer side, and the sweeper. */
@Module({
  providers: [RedisPolicyCheck, DeliveriesRepository, NotificationQueue, NotificationPlanner, DeliverySweeper],
  exports: [RedisPolicyCheck, DeliveriesRepository, NotificationQueue, NotificationPlanner],
})
export class DeliveryModule {}
