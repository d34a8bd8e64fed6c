import { Module, type DynamicModule } from '@nestjs/common';
import { kafkaSecurityOf } from '@agent-ledger/config';
import { InfraModule } from '@agent-ledger/runtime';
import type { NotifierConfig } from './config/notifier.config';
import { DeliveryModule } from './delivery/delivery.module';
import { EmailModule } from './email/email.module';
import { EscalationsModule } from './escalations/escalations.module';
import { EventsModule } from './events/events.module';
import { ReportsModule } from './reports/reports.module';
import { NotifierConfigModule } from './shared/notifier-config.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: NotifierConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forRoot({
          serviceName: 'notifier',
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: config.KAFKA_CLIENT_ID,
          kafkaSecurity: kafkaSecurityOf(config),
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
        }),
        NotifierConfigModule.forRoot(config),
        DeliveryModule,
        EmailModule,
        WebhooksModule,
        EscalationsModule,
        ReportsModule,
        EventsModule,
      ],
    };
  }
}
