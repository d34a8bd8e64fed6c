import type { INestApplication } from '@nestjs/common';
import type { Kafka } from '@agent-ledger/kafka';
import { KAFKA } from '../infra.module';
import { ReadinessService } from '../readiness.service';
import { ConsumerRegistry } from './consumer-registry';
import { KafkaConsumerTransport } from './kafka-consumer.transport';

/**
 * Connects the service's consumers (those its consumer controllers defined in the
 * {@link ConsumerRegistry}) as a Nest microservice with the app's global filters and interceptors.
 * Returns the transport, or undefined for a service without consumers.
 */
export function connectConsumers(app: INestApplication): KafkaConsumerTransport | undefined {
  const registry = registryOf(app);
  if (!registry?.definitions.length) return undefined;
  const strategy = new KafkaConsumerTransport({
    kafka: app.get<symbol, Kafka>(KAFKA),
    readiness: app.get(ReadinessService),
    consumers: registry.definitions,
  });
  app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  return strategy;
}

function registryOf(app: INestApplication): ConsumerRegistry | undefined {
  try {
    return app.get(ConsumerRegistry, { strict: false });
  } catch {
    return undefined; // the service imports no consumer module
  }
}
