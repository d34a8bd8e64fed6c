import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookSecretStore } from './webhook-secret.store';
import { WebhookProcessor } from './webhook.processor';

/** Signed webhooks: the webhook queue's worker. */
@Module({
  imports: [DeliveryModule],
  providers: [WebhookSecretStore, WebhookDeliveryService, WebhookProcessor],
})
export class WebhooksModule {}
