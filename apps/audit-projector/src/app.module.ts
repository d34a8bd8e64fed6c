import { Module, type DynamicModule } from '@nestjs/common';
import { InfraModule } from '@agent-ledger/runtime';
import type { AuditProjectorConfig } from './config/audit-projector.config';

@Module({})
export class AppModule {
  static forRoot(config: AuditProjectorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forRoot({
          serviceName: 'audit-projector',
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: config.KAFKA_CLIENT_ID,
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
        }),
      ],
    };
  }
}
