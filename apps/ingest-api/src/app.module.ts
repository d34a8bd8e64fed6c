import { Module, type DynamicModule } from '@nestjs/common';
import { kafkaSecurityOf } from '@agent-ledger/config';
import { AuthModule, type RateLimitedRequest } from '@agent-ledger/auth';
import { InfraModule } from '@agent-ledger/runtime';
import type { IngestApiConfig } from './config/ingest-api.config';
import { EventsModule } from './events/events.module';
import { otlpExportCost } from './otlp/otlp-export-cost';

/** Ingest's rate limit counts events: a batch takes as many tokens as it carries events (an OTLP export: two per tool call span). */
function eventsInRequest(req: RateLimitedRequest): number {
  const events = (req.body as { events?: unknown } | undefined)?.events;
  return otlpExportCost(req.body) ?? (Array.isArray(events) ? Math.max(1, events.length) : 1);
}

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
          kafkaSecurity: kafkaSecurityOf(config),
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
          databaseRequiredForReadiness: false,
        }),
        AuthModule.forRoot({
          cacheTtlMs: config.AUTH_CACHE_TTL_MS,
          rateLimits: {
            service: 'ingest',
            perKey: { perSecond: config.INGEST_RATE_LIMIT_PER_SECOND, burst: config.INGEST_RATE_LIMIT_BURST },
            cost: eventsInRequest,
            failedAuthPerIp: { perSecond: config.AUTH_FAILURE_RATE_LIMIT_PER_SECOND, burst: config.AUTH_FAILURE_RATE_LIMIT_BURST },
            redisPrefix: config.RATE_LIMIT_REDIS_PREFIX,
          },
        }),
        EventsModule.forRoot({
          maxEvents: config.INGEST_MAX_EVENTS,
          maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
          publishTimeoutMs: config.INGEST_PUBLISH_TIMEOUT_MS,
          maxPendingEvents: config.INGEST_MAX_PENDING_EVENTS,
          tenantCacheTtlMs: config.INGEST_TENANT_CACHE_TTL_MS,
          pii: {
            masterKey: config.LEDGER_MASTER_KEY,
            previousMasterKeys: config.LEDGER_PREVIOUS_MASTER_KEYS,
            keyTimeoutMs: config.INGEST_PII_KEY_TIMEOUT_MS,
            keyCacheTtlMs: config.INGEST_PII_KEY_CACHE_TTL_MS,
          },
        }),
      ],
    };
  }
}
