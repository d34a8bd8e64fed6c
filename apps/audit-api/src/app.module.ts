import { Module, type DynamicModule } from '@nestjs/common';
import { InfraModule } from '@agent-ledger/runtime';
import type { AuditApiConfig } from './config/audit-api.config';

@Module({})
export class AppModule {
  static forRoot(config: AuditApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forRoot({
          serviceName: 'audit-api',
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: config.KAFKA_CLIENT_ID,
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
        }),
      ],
    };
  }
}
