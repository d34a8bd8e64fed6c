import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ACTION_EVENTS_TOPIC, CHECKPOINTS_TOPIC, ESCALATIONS_TOPIC } from '@agent-ledger/contracts';
import { createKafka } from '@agent-ledger/kafka';
import { roleUrl, SERVICE_DATABASE_ROLES } from '@agent-ledger/persistence';
import { Client } from 'pg';
import { commitGroupAtTopicEnd } from './group-offsets';
import { ServiceProcess, type ServiceName } from './service-process';
import { stackEnv, uniqueSuffix } from './stack-env';
import { waitFor } from './wait';


/** A tenant as `POST /v1/admin/tenants` returns it. */
export interface TestTenant {
  tenantId: string;
  name: string;
  apiKeys: { ingest: string; read: string; admin: string };
  keys: { keyId: string; scopes: string[]; prefix: string }[];
}

/** An HTTP answer with its JSON body parsed. */
export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
  ms: number;
}

export interface LedgerSystemOptions {
  services: ServiceName[];
  /** Extra environment per service (e.g. shorter timeouts). */
  env?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  /** Checkpoint cadence of the projector (default: every 100 events or 300 ms). */
  checkpointEveryEvents?: number;
  checkpointEveryMs?: number;
}

/**
 * The URL a service connects with: its own role on the test database (trust authentication locally),
 * as `scripts/start.sh` gives it; undefined for a service without a database.
 */
export function serviceDatabaseUrl(name: ServiceName, ownerUrl: string = stackEnv().databaseUrl): string | undefined {
  const role = (SERVICE_DATABASE_ROLES as Partial<Record<ServiceName, string>>)[name];
  return role ? roleUrl(ownerUrl, role) : undefined;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The built services of the ledger, started for one test suite against the local stack, with their
 * own ports, consumer groups and keys: the projector's group starts at the end of the action events
 * topic, so earlier runs' events are not its business. Tenants are created through the real
 * administration API, events posted through the real ingest API.
 */
export class LedgerSystem {
  readonly suffix = uniqueSuffix();
  readonly stack = stackEnv();
  readonly rootKey = randomBytes(32).toString('base64url');
  readonly masterKey = randomBytes(32);
  readonly signing: { privateKey: KeyObject; publicKey: KeyObject } = generateKeyPairSync('ed25519');
  readonly projectorGroup = `projector-${this.suffix}`;
  readonly escalationGroup = `escalation-${this.suffix}`;
  readonly notifierGroup = `notifier-${this.suffix}`;
  readonly witnessGroup = `witness-${this.suffix}`;
  /** The retention queue's BullMQ prefix (audit-api queues runs, the retention worker runs them). */
  readonly retentionQueuePrefix = `test-retention-${this.suffix}`;
  /** The Redis prefix of ingest-api's and audit-api's rate-limit buckets. */
  readonly rateLimitPrefix = `test-rate-${this.suffix}:`;
  /** The retention worker's archive directory (ARCHIVE_DIR) unless a test points it elsewhere. */
  readonly archiveDir = path.join(tmpdir(), `agent-ledger-archive-${this.suffix}`);
  /** The checkpoint witness's store (WITNESS_DIR). */
  readonly witnessDir = path.join(tmpdir(), `agent-ledger-witness-${this.suffix}`);
  /** A PostgreSQL connection (the owner role) to the test database, for independent checks. */
  readonly db = new Client({ connectionString: this.stack.databaseUrl });
  private readonly processes = new Map<ServiceName, ServiceProcess>();
  /** Further instances of services (e.g. a second member of a consumer group). */
  private readonly extras: ServiceProcess[] = [];
  /** Each service's port, chosen when the system starts (so one service can link to another). */
  private readonly ports = new Map<ServiceName, number>();

  constructor(private readonly options: LedgerSystemOptions) {}

  /** Environment common to every service of this system. */
  get commonEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      KAFKA_BROKERS: this.stack.kafkaBrokers.join(','),
      DATABASE_URL: this.stack.databaseUrl,
      REDIS_URL: this.stack.redisUrl,
      LEDGER_MASTER_KEY: this.masterKey.toString('base64'),
    };
  }

  /** The environment a service of this system runs with. */
  envOf(name: ServiceName): NodeJS.ProcessEnv {
    const own: Partial<Record<ServiceName, NodeJS.ProcessEnv>> = {
      // Rate-limit buckets of its own: the failed-authentication bucket is per client address, and every suite's client is 127.0.0.1.
      'ingest-api': { RATE_LIMIT_REDIS_PREFIX: this.rateLimitPrefix },
      'audit-api': { LEDGER_ROOT_KEY: this.rootKey, LEDGER_SIGNING_PUBLIC_KEY: this.publicKeyBase64, RETENTION_QUEUE_PREFIX: this.retentionQueuePrefix, RATE_LIMIT_REDIS_PREFIX: this.rateLimitPrefix },
      // No scheduled sweep: it would run over every tenant of the shared test database; tests run on demand.
      'retention-worker': { RETENTION_QUEUE_PREFIX: this.retentionQueuePrefix, ARCHIVE_DIR: this.archiveDir, RETENTION_RECORD_TIMEOUT_MS: '30000', RETENTION_SWEEP_ENABLED: 'false' },
      'audit-projector': {
        AUDIT_PROJECTOR_GROUP_ID: this.projectorGroup,
        AUDIT_PROJECTOR_SESSION_TIMEOUT_MS: '6000',
        LEDGER_SIGNING_KEY: this.signing.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
        CHECKPOINT_EVERY_EVENTS: String(this.options.checkpointEveryEvents ?? 100),
        CHECKPOINT_EVERY_MS: String(this.options.checkpointEveryMs ?? 300),
      },
      'escalation-worker': {
        ESCALATION_WORKER_GROUP_ID: this.escalationGroup,
        ESCALATION_REDIS_PREFIX: `test:${this.suffix}`,
        ESCALATION_TIMER_POLL_MS: '200',
        ESCALATION_SETTINGS_CACHE_MS: '0',
      },
      notifier: {
        NOTIFIER_GROUP_ID: this.notifierGroup,
        NOTIFIER_QUEUE_PREFIX: `test-${this.suffix}`,
        // Links in notifications open this system's dashboard (served by audit-api).
        ...(this.ports.has('audit-api') ? { LEDGER_DASHBOARD_URL: `http://127.0.0.1:${this.ports.get('audit-api')}` } : {}),
      },
      'checkpoint-witness': {
        CHECKPOINT_WITNESS_GROUP_ID: this.witnessGroup,
        CHECKPOINT_WITNESS_SESSION_TIMEOUT_MS: '6000',
        WITNESS_DIR: this.witnessDir,
        LEDGER_SIGNING_PUBLIC_KEY: this.publicKeyBase64,
      },
    };
    return { ...this.commonEnv, DATABASE_URL: this.databaseUrlOf(name), ...own[name], ...this.options.env?.[name] };
  }

  databaseUrlOf(name: ServiceName): string | undefined {
    return serviceDatabaseUrl(name, this.stack.databaseUrl);
  }

  get publicKeyBase64(): string {
    return this.signing.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }

  async start(): Promise<this> {
    await this.db.connect();
    // Every consumer group of the system starts at the current end of its topics (at once: each is independent).
    const positions: Promise<unknown>[] = [];
    const atEnd = (groupId: string, topic: string) => positions.push(this.startKafkaGroupAtTopicEnd(groupId, topic));
    if (this.options.services.includes('audit-projector')) {
      positions.push(this.startGroupAtTopicEnd(this.projectorGroup));
      atEnd(`${this.projectorGroup}-escalations`, ESCALATIONS_TOPIC);
    }
    if (this.options.services.includes('notifier')) {
      atEnd(this.envOf('notifier').NOTIFIER_GROUP_ID!, ESCALATIONS_TOPIC);
      // The notifier's group of the action events topic (webhooks for ledger events).
      atEnd(`${this.envOf('notifier').NOTIFIER_GROUP_ID!}-events`, ACTION_EVENTS_TOPIC);
    }
    if (this.options.services.includes('checkpoint-witness')) atEnd(this.witnessGroup, CHECKPOINTS_TOPIC);
    if (this.options.services.includes('escalation-worker')) {
      atEnd(this.escalationGroup, ACTION_EVENTS_TOPIC);
      atEnd(`${this.escalationGroup}-state`, ESCALATIONS_TOPIC);
    }
    await Promise.all(positions);
    for (const name of this.options.services) {
      let port: number;
      do port = await freePort();
      while ([...this.ports.values()].includes(port));
      this.ports.set(name, port);
    }
    for (const name of this.options.services) this.processes.set(name, new ServiceProcess(name, this.ports.get(name)!, this.envOf(name)).start());
    await Promise.all([...this.processes.values()].map((p) => p.waitReady()));
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values(), ...this.extras].map((p) => p.stop()));
    await this.db.end().catch(() => undefined);
    if (this.options.services.includes('checkpoint-witness')) rmSync(this.witnessDir, { recursive: true, force: true });
    if (this.options.services.includes('retention-worker')) rmSync(this.archiveDir, { recursive: true, force: true });
  }

  service(name: ServiceName): ServiceProcess {
    const p = this.processes.get(name);
    if (!p) throw new Error(`${name} is not part of this system`);
    return p;
  }

  url(name: ServiceName): string {
    return this.service(name).url;
  }

  /** Kills a service (SIGKILL by default) and starts a new process with the same port and environment. */
  async restart(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<ServiceProcess> {
    const old = this.service(name);
    old.kill(signal);
    await old.waitExit();
    const fresh = new ServiceProcess(name, old.port, old.env).start();
    this.processes.set(name, fresh);
    await fresh.waitReady();
    return fresh;
  }

  /**
   * Starts another instance of a service (same environment, own port), e.g. a second member of its
   * consumer groups; `readyTimeoutMs` for one started on a busy machine (default 60 s).
   */
  async startInstance(name: ServiceName, env: NodeJS.ProcessEnv = {}, readyTimeoutMs?: number): Promise<ServiceProcess> {
    const p = new ServiceProcess(name, await freePort(), { ...this.envOf(name), ...env }).start();
    this.extras.push(p);
    await p.waitReady(readyTimeoutMs);
    return p;
  }

  /** Stops every process of a service: its own and the instances startInstance added. */
  async stopInstances(name: ServiceName): Promise<void> {
    const all = [this.processes.get(name), ...this.extras.filter((p) => p.name === name)].filter((p): p is ServiceProcess => p !== undefined);
    await Promise.all(all.map((p) => p.stop()));
  }

  /** Makes a consumer group of the projector start at the current end of the action events topic. */
  async startGroupAtTopicEnd(groupId: string): Promise<void> {
    const kafka = createKafka({ clientId: `test-${this.suffix}`, brokers: this.stack.kafkaBrokers });
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const o of await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC)) {
        await this.db.query(
          `INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
          [groupId, ACTION_EVENTS_TOPIC, o.partition, o.high],
        );
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** Commits a Kafka consumer group's offsets at the current end of a topic (the group must be idle). */
  async startKafkaGroupAtTopicEnd(groupId: string, topic: string): Promise<void> {
    await commitGroupAtTopicEnd(createKafka({ clientId: `test-${this.suffix}`, brokers: this.stack.kafkaBrokers }), groupId, topic);
  }

  async createTenant(name = `tenant-${uniqueSuffix()}`): Promise<TestTenant> {
    const answer = await this.http<TestTenant>('POST', `${this.url('audit-api')}/v1/admin/tenants`, { key: this.rootKey, json: { name } });
    if (answer.status !== 201) throw new Error(`creating tenant ${name} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** POST /v1/events on ingest-api (one event or `{events:[…]}`). */
  postEvents(key: string, body: unknown): Promise<HttpAnswer> {
    return this.http('POST', `${this.url('ingest-api')}/v1/events`, { key, json: body });
  }

  /** A request to audit-api with a key. */
  api<T = Record<string, unknown>>(method: string, path: string, key: string, json?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>> {
    return this.http<T>(method, `${this.url('audit-api')}${path}`, { key, json, headers });
  }

  async countStored(tenantId: string): Promise<number> {
    const { rows } = await this.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1`, [tenantId]);
    return rows[0].n;
  }

  async waitForStored(tenantId: string, n: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(async () => (await this.countStored(tenantId)) >= n, { timeoutMs, what: `${n} events of tenant ${tenantId} stored` });
  }

  /** Waits for a signed checkpoint covering every current chain head of the tenant. */
  async waitForCheckpointAtHeads(tenantId: string): Promise<void> {
    await waitFor(
      async () => {
        const heads = await this.db.query(`SELECT kafka_partition AS partition, chain_seq::text AS seq FROM chain_heads WHERE tenant_id = $1 AND chain_seq > 0 ORDER BY 1`, [tenantId]);
        const { rows } = await this.db.query(`SELECT heads FROM checkpoints WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 1`, [tenantId]);
        if (!rows.length) return false;
        const signed = (rows[0].heads as { partition: number; chainSeq: string }[]).map((h) => ({ partition: h.partition, seq: String(h.chainSeq) }));
        return JSON.stringify(signed.sort((a, b) => a.partition - b.partition)) === JSON.stringify(heads.rows);
      },
      { timeoutMs: 20_000, what: `a checkpoint over the current chain heads of ${tenantId}` },
    );
  }

  async http<T = Record<string, unknown>>(
    method: string,
    url: string,
    opts: { key?: string; json?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    let body: string | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    } else if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] = opts.contentType ?? 'application/octet-stream';
    }
    const started = Date.now();
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = {};
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { text };
      }
    }
    return { status: res.status, body: parsed as T, headers: res.headers, ms: Date.now() - started };
  }
}
