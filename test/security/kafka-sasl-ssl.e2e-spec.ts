import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KafkaSaslMechanism, KafkaSecurityConfig } from '@agent-ledger/config';
import { createKafka, type Kafka } from '@agent-ledger/kafka';
import { LedgerKafkaProducer } from '@agent-ledger/sdk';
import { anActionEventInput, LedgerSystem, runToExit, waitFor, type TestTenant } from '@agent-ledger/testing';

/**
 * Kafka security (docs/kafka-security.md) against the local broker's secured listeners, which
 * scripts/stack.sh configures with certificates it generated: SASL_SSL (PLAIN, SCRAM-SHA-256,
 * SCRAM-SHA-512) and SSL with a required client certificate. Clients are built by createKafka from
 * the same settings the services read from KAFKA_SSL_* / KAFKA_SASL_*; real services and the SDK's
 * Kafka mode go through those listeners and their events are stored.
 */
function secured() {
  const need = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: the broker's secured listeners come with "bash scripts/stack.sh up" (.stack/env)`);
    return v;
  };
  return {
    saslBrokers: need('LEDGER_KAFKA_SASL_SSL_BROKERS').split(','),
    mtlsBrokers: need('LEDGER_KAFKA_MTLS_BROKERS').split(','),
    caFile: need('LEDGER_KAFKA_CA_FILE'),
    clientCertFile: need('LEDGER_KAFKA_CLIENT_CERT_FILE'),
    clientKeyFile: need('LEDGER_KAFKA_CLIENT_KEY_FILE'),
    username: need('LEDGER_KAFKA_SASL_USERNAME'),
    password: need('LEDGER_KAFKA_SASL_PASSWORD'),
  };
}

describe('Kafka over SASL_SSL and mutual TLS', () => {
  const stack = secured();
  const secretsDir = mkdtempSync(path.join(tmpdir(), 'p2-kafka-secrets-'));
  const passwordFile = path.join(secretsDir, 'kafka-password');
  writeFileSync(passwordFile, `${stack.password}\n`, { mode: 0o600 });
  const system = new LedgerSystem({
    services: ['ingest-api', 'audit-projector', 'audit-api'],
    env: {
      // ingest-api publishes over SASL_SSL with SCRAM-SHA-256, its password from a file (a mounted Secret).
      'ingest-api': {
        KAFKA_BROKERS: stack.saslBrokers.join(','),
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: stack.caFile,
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
        KAFKA_SASL_USERNAME: stack.username,
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
      },
      // audit-projector consumes over the listener that requires a client certificate.
      'audit-projector': {
        KAFKA_BROKERS: stack.mtlsBrokers.join(','),
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: stack.caFile,
        KAFKA_SSL_CERT_FILE: stack.clientCertFile,
        KAFKA_SSL_KEY_FILE: stack.clientKeyFile,
      },
    },
  });
  const topic = `p2-kafka-security-${system.suffix}`;
  let tenant: TestTenant;

  const tls = (extra: Partial<KafkaSecurityConfig> = {}): KafkaSecurityConfig => ({
    KAFKA_SSL: true,
    KAFKA_SSL_CA_FILE: stack.caFile,
    KAFKA_SSL_REJECT_UNAUTHORIZED: true,
    ...extra,
  });
  const sasl = (mechanism: KafkaSaslMechanism, password = stack.password): KafkaSecurityConfig =>
    tls({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: stack.username, KAFKA_SASL_PASSWORD: password });
  const client = (brokers: string[], security: KafkaSecurityConfig, name: string): Kafka =>
    createKafka({ brokers, clientId: `p2-${name}-${system.suffix}`, security, retries: 0, connectionTimeoutMs: 5_000 });

  /** Produces one message to the test topic and reads it back with a group of its own. */
  async function roundTrip(kafka: Kafka, label: string): Promise<string> {
    const value = `${label}-${randomUUID()}`;
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: label, value }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `p2-${label}-${system.suffix}` });
    const seen: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString('utf8') ?? '') });
      await waitFor(() => seen.includes(value), { timeoutMs: 30_000, what: `${label}'s message read back` });
    } finally {
      await consumer.disconnect();
    }
    return value;
  }

  /** Why connecting fails (an admin connect: no retries), or 'connected'. */
  async function connectOutcome(kafka: Kafka): Promise<string> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return 'connected';
    } catch (err) {
      return `${(err as Error).name}: ${(err as Error).message}`;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  beforeAll(async () => {
    const admin = client(stack.saslBrokers, sasl('scram-sha-512'), 'admin').admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await system.start();
    tenant = await system.createTenant(`p2-kafka-security-${system.suffix}`);
  });

  afterAll(async () => {
    await system.stop();
    const admin = client(stack.saslBrokers, sasl('scram-sha-512'), 'cleanup').admin();
    await admin.connect().then(() => admin.deleteTopics({ topics: [topic] })).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    rmSync(secretsDir, { recursive: true, force: true });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('should produce and consume over SASL_SSL when the mechanism is %s', async (mechanism) => {
    const kafka = client(stack.saslBrokers, sasl(mechanism), mechanism);
    await expect(roundTrip(kafka, mechanism)).resolves.toContain(mechanism);
  });

  it.each(['plain', 'scram-sha-256'] as const)('should refuse the connection with a SASL authentication error when the %s password is wrong', async (mechanism) => {
    const outcome = await connectOutcome(client(stack.saslBrokers, sasl(mechanism, 'not-the-password'), `wrong-${mechanism}`));
    expect(outcome).toMatch(/^KafkaJSSASLAuthenticationError: .*[Aa]uthentication failed/);
  });

  it('should refuse the broker when its CA is not trusted', async () => {
    // No KAFKA_SSL_CA_FILE: the system's trust store, which does not hold the local CA.
    const outcome = await connectOutcome(client(stack.saslBrokers, { ...sasl('scram-sha-256'), KAFKA_SSL_CA_FILE: undefined }, 'untrusted'));
    expect(outcome).toMatch(/self[- ]signed certificate|unable to (verify|get local issuer)/);
  });

  it('should produce and consume over mutual TLS when the client certificate is given', async () => {
    const kafka = client(stack.mtlsBrokers, tls({ KAFKA_SSL_CERT_FILE: stack.clientCertFile, KAFKA_SSL_KEY_FILE: stack.clientKeyFile }), 'mtls');
    await expect(roundTrip(kafka, 'mtls')).resolves.toContain('mtls');
  });

  it('should be refused by the mutual-TLS listener when no client certificate is given', async () => {
    const outcome = await connectOutcome(client(stack.mtlsBrokers, tls(), 'mtls-without-cert'));
    expect(outcome).not.toBe('connected');
    expect(outcome).toMatch(/certificate/);
  });

  it('should store an event posted to ingest-api when ingest publishes over SASL_SSL and the projector reads over mutual TLS', async () => {
    const event = { ...anActionEventInput({ type: 'action.attempted' }), sessionId: `p2-kafka-${system.suffix}` };
    const answer = await system.postEvents(tenant.apiKeys.ingest, event);
    expect(answer.status).toBe(202);
    await waitFor(async () => (await system.db.query(`SELECT 1 FROM audit_events WHERE tenant_id = $1 AND event_id = $2`, [tenant.tenantId, event.eventId])).rowCount === 1, {
      timeoutMs: 60_000,
      what: `event ${event.eventId} stored`,
    });
  });

  it('should store an event the SDK produced over SASL_SSL with ssl and sasl options', async () => {
    const producer = new LedgerKafkaProducer({
      brokers: stack.saslBrokers,
      clientId: `p2-sdk-${system.suffix}`,
      tenantId: tenant.tenantId,
      ssl: { ca: [readFileSync(stack.caFile, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username: stack.username, password: stack.password },
      retries: 1,
    });
    try {
      const eventId = await producer.handoffRequested({ sessionId: `p2-sdk-${system.suffix}`, agent: { id: 'sdk-agent', name: 'SDK agent' }, actor: { type: 'agent', id: 'sdk-agent' } });
      await waitFor(async () => (await system.db.query(`SELECT 1 FROM audit_events WHERE tenant_id = $1 AND event_id = $2`, [tenant.tenantId, eventId])).rowCount === 1, {
        timeoutMs: 60_000,
        what: `SDK event ${eventId} stored`,
      });
    } finally {
      await producer.close();
    }
  });

  it('should stop a service at boot and name the variable when a SASL mechanism has no username', async () => {
    const { code, output } = await runToExit('ingest-api', { ...system.envOf('ingest-api'), KAFKA_SASL_USERNAME: '' });
    expect(code).not.toBe(0);
    expect(output).toContain('KAFKA_SASL_USERNAME');
    expect(output).not.toContain(stack.password);
  });
});
