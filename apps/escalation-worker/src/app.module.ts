import { Module, type DynamicModule } from '@nestjs/common';
import { kafkaSecurityOf } from '@agent-ledger/config';
import { InfraModule } from '@agent-ledger/runtime';
import type { EscalationWorkerConfig } from './config/escalation-worker.config';
import { EscalationModule } from './escalation/escalation.module';

@Module({})
export class AppModule {
  static forRoot(config: EscalationWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forRoot({
          serviceName: 'escalation-worker',
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: config.KAFKA_CLIENT_ID,
          kafkaSecurity: kafkaSecurityOf(config),
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
        }),
        EscalationModule.forRoot({
          groupId: config.ESCALATION_WORKER_GROUP_ID,
          sessionTimeoutMs: config.ESCALATION_WORKER_SESSION_TIMEOUT_MS,
          redisPrefix: config.ESCALATION_REDIS_PREFIX,
          timerPollMs: config.ESCALATION_TIMER_POLL_MS,
          settingsCacheMs: config.ESCALATION_SETTINGS_CACHE_MS,
        }),
      ],
    };
  }
}
