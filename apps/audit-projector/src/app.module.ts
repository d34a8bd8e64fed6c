import { Module, type DynamicModule } from '@nestjs/common';
import { kafkaSecurityOf } from '@agent-ledger/config';
import { InfraModule } from '@agent-ledger/runtime';
import type { AuditProjectorConfig } from './config/audit-projector.config';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { EscalationsModule } from './escalations/escalations.module';
import { ProjectionModule } from './projection/projection.module';
import { ProjectorSharedModule } from './shared/projector-shared.module';
import { projectorSettings } from './shared/projector-settings';

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
          kafkaSecurity: kafkaSecurityOf(config),
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
          dbPoolSize: config.AUDIT_PROJECTOR_DB_POOL_SIZE,
        }),
        ProjectorSharedModule.forRoot(projectorSettings(config)),
        ProjectionModule,
        EscalationsModule,
        DeadLettersModule,
      ],
    };
  }
}
