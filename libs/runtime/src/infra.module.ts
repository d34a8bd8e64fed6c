import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { KafkaSecurityConfig } from '@agent-ledger/config';
import { createKafka, type Kafka } from '@agent-ledger/kafka';
import { connectedRole, createLedgerDataSource, DataSource, judgeConnectedRole, pingDatabase, productionRuntime, TenantDatabase } from '@agent-ledger/persistence';
import { createLogger } from '@agent-ledger/telemetry';
import { Redis } from 'ioredis';
import { HealthController } from './health.controller';
import { KafkaProbe } from './kafka-probe';
import { ReadinessService } from './readiness.service';

export const KAFKA = Symbol('KAFKA');
export const REDIS = Symbol('REDIS');
export const INFRA_OPTIONS = Symbol('INFRA_OPTIONS');

export interface InfraOptions {
  serviceName: string;
  kafkaBrokers: string[];
  kafkaClientId?: string;
  /** TLS and SASL of the Kafka connection (the service's KAFKA_SSL_* / KAFKA_SASL_* settings). */
  kafkaSecurity?: KafkaSecurityConfig;
  databaseUrl: string;
  redisUrl: string;
  dbPoolSize?: number;
  /** A second connection, as the role row-level security applies to, for tenant-scoped work (TenantDatabase). */
  tenantDatabaseUrl?: string;
  /**
   * Whether an unreachable PostgreSQL makes the service not ready (default true). ingest-api serves
   * from its bounded cache of keys and settings while PostgreSQL is away, so it stays in rotation.
   */
  databaseRequiredForReadiness?: boolean;
}

/** Connects Kafka, PostgreSQL and Redis, reports them to readiness, and closes them on shutdown. */
@Injectable()
class InfraLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly log = createLogger('Infra');
  private kafkaProbe?: KafkaProbe;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly dataSource: DataSource,
    private readonly readiness: ReadinessService,
    @Inject(TenantDatabase) private readonly tenantDb: TenantDatabase | null,
    @Inject(INFRA_OPTIONS) private readonly opts: InfraOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    this.kafkaProbe = new KafkaProbe(this.kafka);
    this.readiness.register(this.kafkaProbe);
    this.readiness.register({ name: 'postgres', check: () => pingDatabase(this.dataSource), required: this.opts.databaseRequiredForReadiness ?? true });
    const tenantDb = this.tenantDb;
    if (tenantDb) this.readiness.register({ name: 'postgres-tenant-role', check: () => pingDatabase(tenantDb.dataSource) });
    this.readiness.register({
      name: 'redis',
      check: async () => {
        if (this.redis.status !== 'ready') throw new Error(`redis connection is ${this.redis.status}`);
        await this.redis.ping();
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.readiness.markShuttingDown();
    await this.kafkaProbe?.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
    if (this.dataSource.isInitialized) await this.dataSource.destroy().catch((err) => this.log.warn({ err }, 'closing database'));
    if (this.tenantDb?.dataSource.isInitialized) await this.tenantDb.dataSource.destroy().catch((err) => this.log.warn({ err }, 'closing tenant database'));
  }
}

@Global()
@Module({})
export class InfraModule {
  static forRoot(opts: InfraOptions): DynamicModule {
    return {
      module: InfraModule,
      controllers: [HealthController],
      providers: [
        { provide: INFRA_OPTIONS, useValue: opts },
        ReadinessService,
        {
          provide: KAFKA,
          useFactory: () => createKafka({ brokers: opts.kafkaBrokers, clientId: opts.kafkaClientId ?? opts.serviceName, security: opts.kafkaSecurity }),
        },
        {
          provide: DataSource,
          useFactory: () => connectDatabase(opts.databaseUrl, opts.dbPoolSize, opts.serviceName),
        },
        {
          provide: TenantDatabase,
          useFactory: async () =>
            opts.tenantDatabaseUrl ? new TenantDatabase(await connectDatabase(opts.tenantDatabaseUrl, opts.dbPoolSize, `${opts.serviceName}-tenant`)) : null,
        },
        {
          provide: REDIS,
          useFactory: () =>
            new Redis(opts.redisUrl, {
              maxRetriesPerRequest: null,
              enableReadyCheck: true,
              connectionName: opts.serviceName,
              retryStrategy: (times) => Math.min(times * 200, 2_000),
            }),
        },
        InfraLifecycle,
      ],
      exports: [KAFKA, REDIS, DataSource, TenantDatabase, ReadinessService, INFRA_OPTIONS],
    };
  }
}

async function connectDatabase(url: string, poolSize: number | undefined, applicationName: string): Promise<DataSource> {
  const ds = createLedgerDataSource({ url, poolSize, applicationName });
  // Boot even if PostgreSQL is down: readiness reports it, TypeORM's pool reconnects.
  const connected = await ds.initialize().then(
    () => true,
    (err) => {
      createLogger('Infra').error({ err, applicationName }, 'database unavailable at startup; retrying in background');
      return false;
    },
  );
  if (connected) await checkRole(ds, applicationName);
  else retryInitialize(ds, applicationName);
  return ds;
}

/**
 * Warns when the connection's role is a superuser or owns the audit log; in production throws, and the
 * service does not start (docs/deployment.md: each service connects as its own role).
 */
async function checkRole(ds: DataSource, applicationName: string): Promise<void> {
  const role = await connectedRole(ds).catch((err: Error) => {
    // A connection lost right after connecting: production stops (a restart checks again), elsewhere
    // the check is skipped rather than the boot failed.
    if (productionRuntime()) throw new Error(`refusing to start in production: could not read the database role (${err.message})`);
    createLogger('Infra').warn({ err, applicationName }, 'could not read the database role; not checked');
    return undefined;
  });
  if (!role) return;
  const verdict = judgeConnectedRole(role, productionRuntime());
  if (verdict.action === 'refuse') throw new Error(verdict.reason);
  if (verdict.action === 'warn') createLogger('Infra').warn({ role: role.role, applicationName }, verdict.reason);
}

function retryInitialize(ds: DataSource, applicationName: string): void {
  const timer = setInterval(() => {
    if (ds.isInitialized) return clearInterval(timer);
    ds.initialize().then(
      () => {
        clearInterval(timer);
        checkRole(ds, applicationName).catch((err: Error) => {
          createLogger('Infra').fatal({ applicationName }, err.message);
          process.exit(1);
        });
      },
      () => undefined,
    );
  }, 2_000);
  timer.unref();
}
