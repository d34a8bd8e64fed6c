import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@agent-ledger/auth';
import { InfraModule } from '@agent-ledger/runtime';
import type { IngestApiConfig } from './config/ingest-api.config';
import { EventsModule } from './events/events.module';

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
          databaseRequiredForReadiness: false,
        }),
        AuthModule.forRoot({ cacheTtlMs: config.AUTH_CACHE_TTL_MS }),
        EventsModule.forRoot({
          maxEvents: config.INGEST_MAX_EVENTS,
          maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
          publishTimeoutMs: config.INGEST_PUBLISH_TIMEOUT_MS,
          maxPendingEvents: config.INGEST_MAX_PENDING_EVENTS,
          tenantCacheTtlMs: config.INGEST_TENANT_CACHE_TTL_MS,
        }),
      ],
    };
  }
}
