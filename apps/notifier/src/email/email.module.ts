import { Module } from '@nestjs/common';
import type { NotifierConfig } from '../config/notifier.config';
import { DeliveryModule } from '../delivery/delivery.module';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { EmailDeliveryService } from './email-delivery.service';
import { EmailProcessor } from './email.processor';
import { createMailTransport, MAIL_TRANSPORT } from './mail-transport';

/** Email over SMTP: the email queue's worker. */
@Module({
  imports: [DeliveryModule],
  providers: [
    { provide: MAIL_TRANSPORT, inject: [NOTIFIER_CONFIG], useFactory: (config: NotifierConfig) => createMailTransport(config.smtp, config.NOTIFIER_EMAIL_CONCURRENCY) },
    EmailDeliveryService,
    EmailProcessor,
  ],
})
export class EmailModule {}
