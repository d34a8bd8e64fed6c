import { Module, type DynamicModule } from '@nestjs/common';
import { kafkaSecurityOf } from '@agent-ledger/config';
import type { WitnessConfig } from './config/witness.config';
import { CheckpointsConsumerModule } from './consumer/checkpoints-consumer.module';
import { CheckpointsHttpModule } from './http/checkpoints-http.module';
import { KafkaInfraModule } from './shared/kafka-infra.module';
import { WitnessConfigModule } from './shared/witness-config.module';

@Module({})
export class AppModule {
  static forRoot(config: WitnessConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        KafkaInfraModule.forRoot({ serviceName: 'checkpoint-witness', kafkaBrokers: config.KAFKA_BROKERS, kafkaClientId: config.KAFKA_CLIENT_ID, kafkaSecurity: kafkaSecurityOf(config) }),
        WitnessConfigModule.forRoot(config),
        CheckpointsConsumerModule,
        CheckpointsHttpModule,
      ],
    };
  }
}
