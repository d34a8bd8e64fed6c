import { Controller, Global, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumerBatch } from '@agent-ledger/kafka';
import { KAFKA } from '../infra.module';
import { ReadinessService } from '../readiness.service';
import { connectConsumers } from './connect-consumers';
import { ConsumerRegistry, ConsumersModule } from './consumer-registry';
import { KafkaConsumerTransport } from './kafka-consumer.transport';

const TOPIC = 'spec.connect.v1';

/** What InfraModule provides (Kafka, readiness), without connecting anywhere. */
@Global()
@Module({ providers: [ReadinessService, { provide: KAFKA, useValue: {} }], exports: [ReadinessService, KAFKA] })
class FakeInfraModule {}

@Controller()
class SpecConsumer {
  constructor(consumers: ConsumerRegistry) {
    consumers.define({ name: 'spec consumer', health: 'consumer', groupId: 'spec-connect', topics: [TOPIC] });
  }

  @EventPattern(TOPIC)
  async handle(@Payload() batch: ConsumerBatch): Promise<void> {
    void batch;
  }
}

@Module({ imports: [FakeInfraModule, ConsumersModule], controllers: [SpecConsumer] })
class WithConsumersModule {}

@Module({ imports: [FakeInfraModule] })
class WithoutConsumersModule {}

describe(connectConsumers.name, () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  // NestFactory as bootstrapService uses it: an unknown provider asked of the app would end the process.
  it('should connect nothing and leave the app running when the service imports no consumer module', async () => {
    app = await NestFactory.create(WithoutConsumersModule, { logger: false });
    expect(connectConsumers(app)).toBeUndefined();
    expect(app.getMicroservices()).toHaveLength(0);
  });

  it('should connect one consumer transport with the defined consumers when a controller defined some', async () => {
    app = await NestFactory.create(WithConsumersModule, { logger: false });
    const transport = connectConsumers(app);
    expect(transport).toBeInstanceOf(KafkaConsumerTransport);
    expect(app.getMicroservices()).toHaveLength(1);
  });
});
