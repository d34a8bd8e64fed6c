import { Module, type DynamicModule } from '@nestjs/common';
import { InfraModule } from '@agent-ledger/runtime';
import type { IngestApiConfig } from './config/ingest-api.config';

@Module({})
export class AppModule {
  static forRoot(config: IngestApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forRoot({
          serviceName: 'ingest-api',
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: config.KAFKA_CLIENT_ID,
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
        }),
      ],
    };
  }
}
