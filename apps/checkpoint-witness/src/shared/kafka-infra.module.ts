import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { KafkaSecurityConfig } from '@agent-ledger/config';
import { createKafka, type Kafka } from '@agent-ledger/kafka';
import { HealthController, KAFKA, KafkaProbe, ReadinessService } from '@agent-ledger/runtime';

/** Reports Kafka to readiness and closes the admin client on shutdown. */
@Injectable()
class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  private kafkaProbe?: KafkaProbe;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.kafkaProbe = new KafkaProbe(this.kafka);
    this.readiness.register(this.kafkaProbe);
  }

  async onApplicationShutdown(): Promise<void> {
    this.readiness.markShuttingDown();
    await this.kafkaProbe?.close();
  }
}

/**
 * The witness's infrastructure: Kafka only (it has no database and no Redis, unlike the services
 * built on InfraModule), with the shared health and metrics endpoints.
 */
@Global()
@Module({})
export class KafkaInfraModule {
  static forRoot(opts: { serviceName: string; kafkaBrokers: string[]; kafkaClientId?: string; kafkaSecurity?: KafkaSecurityConfig }): DynamicModule {
    return {
      module: KafkaInfraModule,
      controllers: [HealthController],
      providers: [
        ReadinessService,
        { provide: KAFKA, useFactory: () => createKafka({ brokers: opts.kafkaBrokers, clientId: opts.kafkaClientId ?? opts.serviceName, security: opts.kafkaSecurity }) },
        KafkaLifecycle,
      ],
      exports: [KAFKA, ReadinessService],
    };
  }
}
