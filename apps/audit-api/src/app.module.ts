import { Module, type DynamicModule } from '@nestjs/common';
import { kafkaSecurityOf } from '@agent-ledger/config';
import { AuthModule } from '@agent-ledger/auth';
import { TENANT_APP_ROLE, tenantRoleUrl } from '@agent-ledger/persistence';
import { InfraModule } from '@agent-ledger/runtime';
import { AdminModule } from './admin/admin.module';
import { ChangeLogModule } from './change-log/change-log.module';
import { ChannelsModule } from './channels/channels.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { EscalationsModule } from './escalations/escalations.module';
import { IntegrityModule } from './integrity/integrity.module';
import { PrivacyModule } from './privacy/privacy.module';
import { ProofsModule } from './proofs/proofs.module';
import { QueriesModule } from './queries/queries.module';
import { RedactionModule } from './redaction/redaction.module';
import { ReportsModule } from './reports/reports.module';
import { RetentionModule } from './retention/retention.module';
import { LedgerKeysModule } from './shared/ledger-keys.module';
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
          kafkaSecurity: kafkaSecurityOf(config),
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
          tenantDatabaseUrl: config.TENANT_DATABASE_URL ?? tenantRoleUrl(config.DATABASE_URL, TENANT_APP_ROLE),
        }),
        AuthModule.forRoot({
          rootKey: config.LEDGER_ROOT_KEY,
          cacheTtlMs: config.AUTH_CACHE_TTL_MS,
          rateLimits: {
            service: 'audit-api',
            perKey: { perSecond: config.AUDIT_API_RATE_LIMIT_PER_SECOND, burst: config.AUDIT_API_RATE_LIMIT_BURST },
            failedAuthPerIp: { perSecond: config.AUTH_FAILURE_RATE_LIMIT_PER_SECOND, burst: config.AUTH_FAILURE_RATE_LIMIT_BURST },
            redisPrefix: config.RATE_LIMIT_REDIS_PREFIX,
          },
        }),
        LedgerKeysModule.forRoot({ masterKey: config.LEDGER_MASTER_KEY, previousMasterKeys: config.LEDGER_PREVIOUS_MASTER_KEYS, publicKeys: config.LEDGER_SIGNING_PUBLIC_KEY }),
        ChangeLogModule,
        IntegrityModule.forRoot(config),
        ProofsModule,
        PrivacyModule,
        RedactionModule,
        RetentionModule.forRoot(config),
        QueriesModule.forRoot({
          maxStreamsPerTenant: config.AUDIT_API_MAX_STREAMS_PER_TENANT,
          maxStreams: config.AUDIT_API_MAX_STREAMS,
          maxReplayHours: config.AUDIT_API_STREAM_MAX_REPLAY_HOURS,
        }),
        EscalationsModule,
        AdminModule,
        ChannelsModule.forRoot(config),
        DeliveriesModule,
        DeadLettersModule,
        ReportsModule,
        DashboardModule,
      ],
    };
  }
}
