import { Global, Injectable, Module } from '@nestjs/common';
import type { ConsumerDefinition } from './consumer-definition';

/**
 * The consumers a service declares (each consumer controller defines its own when it is built).
 * The Kafka consumer transport hosts them once the application is initialised.
 */
@Injectable()
export class ConsumerRegistry {
  private readonly defined: ConsumerDefinition[] = [];

  define(definition: ConsumerDefinition): void {
    if (this.defined.some((d) => d.groupId === definition.groupId)) {
      throw new Error(`two consumers of this service share the group ${definition.groupId}`);
    }
    this.defined.push(definition);
  }

  get definitions(): readonly ConsumerDefinition[] {
    return this.defined;
  }
}

/** Imported by every module with a consumer controller: one registry per service. */
@Global()
@Module({ providers: [ConsumerRegistry], exports: [ConsumerRegistry] })
export class ConsumersModule {}
