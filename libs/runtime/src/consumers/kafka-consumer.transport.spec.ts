import { Controller, Injectable, type INestApplication, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { TransientError, type ConsumerBatch, type ConsumerHostOptions, type Kafka } from '@agent-ledger/kafka';
import { closeService } from '../bootstrap';
import { HttpErrorFilter } from '../http/http-error.filter';
import { InputTextInterceptor } from '../http/input-text.interceptor';
import { ConsumerBatchContext } from './consumer-batch.context';
import type { ConsumerDefinition } from './consumer-definition';
import { KafkaConsumerTransport, type HostedConsumer } from './kafka-consumer.transport';

const ORDERS = 'spec.orders.v1';
const REFUNDS = 'spec.refunds.v1';

/** What the transport did with each consumer, and the log of lifecycle steps across the app. */
class Journal {
  readonly steps: string[] = [];
  readonly hosts = new Map<string, { options: ConsumerHostOptions; started: number; stopped: number }>();
}

@Controller()
class LedgerSpecConsumer {
  readonly seen: { topic: string; batch: ConsumerBatch; fromTopic: string }[] = [];
  failWith?: Error;

  @EventPattern(ORDERS)
  async orders(@Payload() batch: ConsumerBatch, @Ctx() ctx: ConsumerBatchContext): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.seen.push({ topic: ORDERS, batch, fromTopic: ctx.getTopic() });
  }

  @EventPattern(REFUNDS)
  async refunds(@Payload() batch: ConsumerBatch, @Ctx() ctx: ConsumerBatchContext): Promise<void> {
    this.seen.push({ topic: REFUNDS, batch, fromTopic: ctx.getTopic() });
  }
}

/** Stands for the database and Redis connections, which close in the app's shutdown hooks. */
@Injectable()
class ConnectionsProbe implements OnModuleDestroy, OnApplicationShutdown {
  static journal: Journal;
  onModuleDestroy(): void {
    ConnectionsProbe.journal.steps.push('destroy hooks');
  }
  onApplicationShutdown(): void {
    ConnectionsProbe.journal.steps.push('connections closed');
  }
}

const definition = (over: Partial<ConsumerDefinition> = {}): ConsumerDefinition => ({ name: 'spec consumer', health: 'consumer', groupId: 'spec-group', topics: [ORDERS, REFUNDS], ...over });

const batchOf = (topic: string): ConsumerBatch => ({ topic, partition: 2, messages: [], highWatermark: '0', heartbeat: async () => undefined, deadLetter: async () => undefined });

function transportFor(journal: Journal, consumers: ConsumerDefinition[], registered: string[] = []): KafkaConsumerTransport {
  return new KafkaConsumerTransport({
    kafka: {} as Kafka,
    readiness: { registerWorker: (name) => registered.push(name) },
    consumers,
    pendingStartWaitMs: 50,
    createHost: (_kafka, options): HostedConsumer => {
      const record = { options, started: 0, stopped: 0 };
      journal.hosts.set(options.groupId, record);
      return {
        start: () => {
          record.started++;
          journal.steps.push(`${options.groupId} started`);
        },
        stop: async () => {
          record.stopped++;
          journal.steps.push(`${options.groupId} stopped`);
        },
        checkReady: async () => undefined,
        checkLive: async () => undefined,
      };
    },
  });
}

describe(KafkaConsumerTransport.name, () => {
  let app: INestApplication;
  let journal: Journal;

  async function boot(consumers: ConsumerDefinition[], controllers: unknown[] = [LedgerSpecConsumer], registered: string[] = []): Promise<KafkaConsumerTransport> {
    journal = new Journal();
    ConnectionsProbe.journal = journal;
    const moduleRef = await Test.createTestingModule({ controllers: controllers as never[], providers: [ConnectionsProbe] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    // The app's global filter and interceptor, inherited by the transport as in bootstrapService.
    app.useGlobalFilters(new HttpErrorFilter());
    app.useGlobalInterceptors(new InputTextInterceptor());
    const strategy = transportFor(journal, consumers, registered);
    app.connectMicroservice({ strategy }, { inheritAppConfig: true });
    await app.init();
    await app.startAllMicroservices();
    return strategy;
  }

  afterEach(async () => {
    await app?.close();
  });

  it("should hand each batch to the @EventPattern handler of the batch's topic when a consumer reads two topics", async () => {
    await boot([definition()]);
    const { options } = journal.hosts.get('spec-group')!;
    const orders = batchOf(ORDERS);
    const refunds = batchOf(REFUNDS);
    await options.handle(refunds);
    await options.handle(orders);
    const consumer = app.get(LedgerSpecConsumer);
    expect(consumer.seen.map((s) => [s.topic, s.fromTopic])).toEqual([
      [REFUNDS, REFUNDS],
      [ORDERS, ORDERS],
    ]);
    expect(consumer.seen[1].batch).toBe(orders);
  });

  it('should reject with the error the handler threw when a batch fails, so the host can classify it', async () => {
    await boot([definition()]);
    const error = new TransientError('database away');
    app.get(LedgerSpecConsumer).failWith = error;
    await expect(journal.hosts.get('spec-group')!.options.handle(batchOf(ORDERS))).rejects.toBe(error);
  });

  it('should report each consumer to readiness under its health name and pass its options to the host', async () => {
    const registered: string[] = [];
    await boot([definition({ groupId: 'a', topics: [ORDERS], health: 'orders consumer', poison: 'skip', sessionTimeoutMs: 12_000 }), definition({ groupId: 'b', topics: [REFUNDS] })], [LedgerSpecConsumer], registered);
    expect(registered).toEqual(['orders consumer', 'consumer']);
    expect(journal.hosts.get('a')!.options).toMatchObject({ groupId: 'a', topics: [ORDERS], poison: 'skip', sessionTimeoutMs: 12_000 });
    expect(journal.hosts.get('a')!.options).not.toHaveProperty('health');
  });

  it('should refuse to start, naming the topic, when no handler has the pattern of a subscribed topic', async () => {
    await expect(boot([definition({ topics: ['spec.unhandled.v1'] })])).rejects.toThrow("no @EventPattern('spec.unhandled.v1') handler for the consumer of group spec-group");
  });

  it('should start a consumer only once what it needs first resolved', async () => {
    let release!: () => void;
    const needed = new Promise<void>((r) => (release = r));
    await boot([definition({ startAfter: () => needed })]);
    await new Promise((r) => setImmediate(r));
    expect(journal.hosts.get('spec-group')!.started).toBe(0);
    release();
    await new Promise((r) => setImmediate(r));
    expect(journal.hosts.get('spec-group')!.started).toBe(1);
  });

  it('should never start a consumer whose prerequisite resolves after the transport closed', async () => {
    let release!: () => void;
    const needed = new Promise<void>((r) => (release = r));
    const strategy = await boot([definition({ startAfter: () => needed })]);
    const closing = strategy.close();
    release();
    await closing;
    expect(journal.hosts.get('spec-group')).toMatchObject({ started: 0, stopped: 1 });
  });

  it("should stop the consumers before the app's destroy hooks and connections close, once, when the service closes", async () => {
    const strategy = await boot([definition()]);
    await closeService(app, strategy);
    expect(journal.steps).toEqual(['spec-group started', 'spec-group stopped', 'destroy hooks', 'connections closed']);
    expect(journal.hosts.get('spec-group')!.stopped).toBe(1);
  });
});
