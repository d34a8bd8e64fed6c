import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
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
  if (!hasConsumers(app)) return undefined;
  const registry = app.get(ConsumerRegistry);
  if (!registry.definitions.length) return undefined;
  const strategy = new KafkaConsumerTransport({
    kafka: app.get<symbol, Kafka>(KAFKA),
    readiness: app.get(ReadinessService),
    consumers: registry.definitions,
  });
  app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  return strategy;
}

/**
 * Whether a module of the app provides the registry (imports ConsumersModule). Looked up in the
 * module graph: the app's get() of an unknown provider ends the process (Nest's abortOnError).
 */
function hasConsumers(app: INestApplication): boolean {
  return [...app.get(ModulesContainer).values()].some((m) => m.providers.has(ConsumerRegistry));
}
