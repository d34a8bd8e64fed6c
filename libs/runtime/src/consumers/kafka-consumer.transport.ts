import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { ConsumerHost, type ConsumerBatch, type ConsumerHostOptions, type Kafka } from '@agent-ledger/kafka';
import { createLogger } from '@agent-ledger/telemetry';
import type { ReadinessService, WorkerHealth } from '../readiness.service';
import { ConsumerBatchContext } from './consumer-batch.context';
import type { ConsumerDefinition } from './consumer-definition';

/** The transport id of the handlers this transport serves (`@EventPattern(topic)` needs none). */
export const KAFKA_CONSUMERS = Symbol('agent-ledger-kafka-consumers');

/** What the transport needs of a hosted consumer ({@link ConsumerHost}). */
export interface HostedConsumer extends WorkerHealth {
  start(): void;
  stop(): Promise<void>;
}

export interface KafkaConsumerTransportOptions {
  kafka: Kafka;
  readiness: Pick<ReadinessService, 'registerWorker'>;
  consumers: readonly ConsumerDefinition[];
  /** Builds the host of one consumer (default: a {@link ConsumerHost}). */
  createHost?(kafka: Kafka, options: ConsumerHostOptions): HostedConsumer;
  /** How long close() waits for a start still waiting on its `startAfter` (default 5 s). */
  pendingStartWaitMs?: number;
}

/**
 * The Nest microservice transport of a service's Kafka consumers. Nest starts it
 * (`startAllMicroservices`) after the application is initialised: each consumer is hosted by a
 * {@link ConsumerHost} (batches, poison isolation, dead-lettering, rejoin, health), reports to
 * readiness, and hands every batch to the `@EventPattern(topic)` handler of the batch's topic,
 * through Nest's RPC pipeline (interceptors, filters). A handler's error reaches the host as it
 * was thrown, so the host can tell transient errors from data errors. close() stops every consumer:
 * the slice in flight finishes, offsets are committed, the members leave their groups.
 */
export class KafkaConsumerTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = KAFKA_CONSUMERS;
  private readonly log = createLogger(KafkaConsumerTransport.name);
  private readonly hosts: HostedConsumer[] = [];
  private readonly starts: Promise<void>[] = [];
  private closing?: Promise<void>;

  constructor(private readonly opts: KafkaConsumerTransportOptions) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    try {
      this.checkHandlers();
      for (const definition of this.opts.consumers) this.host(definition);
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /** Stops every consumer (idempotent): Nest calls it on close, the service's shutdown calls it first. */
  close(): Promise<void> {
    this.closing ??= this.stopAll();
    return this.closing;
  }

  on(): never {
    throw new Error('the Kafka consumer transport emits no events: each consumer reports to /health/ready and /health/live');
  }

  /** The hosted consumers. */
  unwrap<T>(): T {
    return this.hosts as T;
  }

  /** Every subscribed topic has exactly one handler; a consumer without one is a wiring error. */
  private checkHandlers(): void {
    for (const { topics, groupId } of this.opts.consumers) {
      for (const topic of topics) {
        const handler = this.getHandlerByPattern(topic);
        if (!handler) throw new Error(`no @EventPattern('${topic}') handler for the consumer of group ${groupId}`);
        if (handler.next) throw new Error(`more than one @EventPattern('${topic}') handler: each topic's batches go to one handler`);
      }
    }
  }

  private host(definition: ConsumerDefinition): void {
    const { health, startAfter, ...options } = definition;
    const createHost = this.opts.createHost ?? ((kafka, o) => new ConsumerHost(kafka, o));
    const host = createHost(this.opts.kafka, { ...options, handle: (batch) => this.dispatch(batch, definition.groupId) });
    this.hosts.push(host);
    this.opts.readiness.registerWorker(health, host);
    const ready = startAfter ? Promise.resolve().then(startAfter) : Promise.resolve();
    this.starts.push(
      ready.then(
        () => {
          if (!this.closing) host.start();
        },
        (err) => this.log.error({ err, groupId: definition.groupId }, `${definition.name} not started: what it needs first failed`),
      ),
    );
  }

  /** Runs the batch through the topic's handler; resolves when it is applied, rejects with the handler's own error. */
  private async dispatch(batch: ConsumerBatch, groupId: string): Promise<void> {
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) throw new Error(`no handler for the topic ${batch.topic}`);
    const context = new ConsumerBatchContext([batch.topic, batch.partition, groupId]);
    await new Promise<void>((resolve, reject) => {
      this.onProcessingStartHook(this.transportId, context, async () => {
        try {
          await lastValueFrom(this.transformToObservable(await handler(batch, context)), { defaultValue: undefined });
          resolve();
        } catch (err) {
          reject(err);
        } finally {
          this.onProcessingEndHook?.(this.transportId, context);
        }
      });
    });
  }

  private async stopAll(): Promise<void> {
    const waitMs = this.opts.pendingStartWaitMs ?? 5_000;
    // A start still waiting for what it needs (e.g. Redis) is bounded: it may never come.
    await Promise.race([Promise.all(this.starts), new Promise((r) => setTimeout(r, waitMs).unref())]);
    await Promise.all(this.hosts.map((h) => h.stop()));
  }
}
