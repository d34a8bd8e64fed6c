import { Module, type DynamicModule } from '@nestjs/common';
import { kafkaSecurityOf } from '@agent-ledger/config';
import { InfraModule } from '@agent-ledger/runtime';
import { ARCHIVE_STORE } from './archive/archive-store.token';
import { archiveStoreOf, type RetentionConfig } from './config/retention.config';
import { RETENTION_CONFIG } from './config/retention-config.token';
import { PurgeRecordPublisher } from './purge/purge-record.publisher';
import { PurgeRepository } from './purge/purge.repository';
import { TenantPurgeService } from './purge/tenant-purge.service';
import { RetentionProcessor } from './queue/retention.processor';

@Module({})
export class AppModule {
  static forRoot(config: RetentionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forRoot({
          serviceName: 'retention-worker',
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: config.KAFKA_CLIENT_ID,
          kafkaSecurity: kafkaSecurityOf(config),
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
          dbPoolSize: 4,
        }),
      ],
      providers: [
        { provide: RETENTION_CONFIG, useValue: config },
        { provide: ARCHIVE_STORE, useFactory: () => archiveStoreOf() },
        PurgeRepository,
        PurgeRecordPublisher,
        TenantPurgeService,
        RetentionProcessor,
      ],
    };
  }
}
