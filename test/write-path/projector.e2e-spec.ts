import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  ACTION_EVENTS_DLQ_TOPIC,
  ACTION_EVENTS_TOPIC,
  actionEventKey,
  CHECKPOINTS_TOPIC,
  DLQ_REASON_HEADER,
  type Checkpoint,
} from '@agent-ledger/contracts';
import {
  loadPublicKey,
  PiiCipher,
  revealEventPii,
  signingKeyId,
  verifyCheckpointSignature,
} from '@agent-ledger/integrity';
import { BatchConsumerRunner, createKafka, LedgerProducer, type KafkaMessage } from '@agent-ledger/kafka';
import { anActionEvent, serviceDatabaseUrl, ServiceProcess, stackEnv, uniqueSuffix, waitFor } from '@agent-ledger/testing';
import { LedgerProbe } from './ledger-probe';
import { buildWorkload, type Workload } from './workload';

/**
 * The write path end to end: the built audit-projector against the real Kafka topic and PostgreSQL,
 * with its own consumer group, fresh tenants and its own keys.
 */
describe('audit-projector write path', () => {
  const env = stackEnv();
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'projector-e2e' });
  const producer = new LedgerProducer(kafka);
  const db = new Client({ connectionString: env.databaseUrl });
  const suffix = uniqueSuffix();
  const groupId = `projector-e2e-${suffix}`;
  const masterKey = randomBytes(32);
  const signing = generateKeyPairSync('ed25519');
  const publicKey = loadPublicKey(signing.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
  const keyId = signingKeyId(publicKey);
  /** Marker in every PII value; must never appear in clear text in the database. */
  const piiMarker = `piimarker${suffix}`;
  const ipPrefix = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
  const projectorEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    DATABASE_URL: serviceDatabaseUrl('audit-projector', env.databaseUrl),
    REDIS_URL: env.redisUrl,
    AUDIT_PROJECTOR_GROUP_ID: groupId,
    AUDIT_PROJECTOR_SESSION_TIMEOUT_MS: '6000',
    AUDIT_PROJECTOR_MAX_BATCH_BYTES: '32768',
    LEDGER_MASTER_KEY: masterKey.toString('base64'),
    LEDGER_SIGNING_KEY: signing.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    CHECKPOINT_EVERY_EVENTS: '500',
    CHECKPOINT_EVERY_MS: '500',
  };
  const port = 23_410;
  let projector = new ServiceProcess('audit-projector', port, projectorEnv);
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  let workloadA: Workload;
  const probe = new LedgerProbe(db, kafka, { databaseUrl: env.databaseUrl, groupId, publicKey, keyId });
  const countEvents = (tenantId: string) => probe.countEvents(tenantId);

  beforeAll(async () => {
    await db.connect();
    for (const t of [tenantA, tenantB]) await db.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [t, `projector-e2e-${t}`]);
    // This group starts at the end of the topic (what earlier runs and other suites left there is not its business).
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC);
    await admin.disconnect();
    for (const o of offsets) {
      await db.query(`INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES ($1, $2, $3, $4)`, [groupId, ACTION_EVENTS_TOPIC, o.partition, o.high]);
    }
    projector.start();
    await projector.waitReady(60_000);
  });

  afterAll(async () => {
    await projector.stop();
    await producer.disconnect();
    await db.end();
  });

  it('should store each event exactly once with the right action states and verifiable chains when events arrive shuffled with duplicates', async () => {
    workloadA = buildWorkload(tenantA, 200, piiMarker, ipPrefix);
    expect(workloadA.messages).toHaveLength(2_000);

    await produce(workloadA.messages);
    await probe.waitUntilProjected(tenantA, workloadA);

    await probe.expectStoredExactlyOnce(tenantA, workloadA);
    await probe.expectActionStates(tenantA, workloadA);
    await probe.expectGapFreeChains(tenantA);
    const report = await probe.verifyTenant(tenantA, { waitForCheckpoint: true });
    expect(report).toMatchObject({ ok: true, eventsChecked: workloadA.distinct.length, failures: [] });

    // "In full": the encrypted PII opens again with the subject's key.
    const attempted = workloadA.distinct.find((e) => e.type === 'action.attempted' && e.subject?.pii)!;
    const { rows } = await db.query(`SELECT event_json FROM audit_events WHERE tenant_id = $1 AND event_id = $2`, [tenantA, attempted.eventId]);
    const keys = await db.query(`SELECT key_id::text AS key_id, wrapped_key FROM subject_keys WHERE tenant_id = $1`, [tenantA]);
    const cipher = new PiiCipher(masterKey);
    const byId = new Map(keys.rows.map((k) => [k.key_id as string, cipher.unwrapDataKey(k.wrapped_key, tenantA, k.key_id)]));
    expect(revealEventPii(JSON.parse(rows[0].event_json), (kid) => byId.get(kid))).toEqual(JSON.parse(JSON.stringify(attempted)));
  });

  it('should still store each event exactly once when the projector is SIGKILLed mid-stream and restarted', async () => {
    const workload = buildWorkload(tenantB, 200, piiMarker, ipPrefix);

    await produce(workload.messages);
    const atKill = await waitFor(
      async () => {
        const n = await countEvents(tenantB);
        return n >= 150 ? n : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: 'the projector to be part-way' },
    );
    projector.kill('SIGKILL');
    await projector.waitExit();
    const storedAtKill = await countEvents(tenantB);
    expect(atKill).toBeLessThan(workload.distinct.length);
    expect(storedAtKill).toBeLessThan(workload.distinct.length);

    projector = new ServiceProcess('audit-projector', port, projectorEnv).start();
    await projector.waitReady(60_000);
    await probe.waitUntilProjected(tenantB, workload);

    await probe.expectStoredExactlyOnce(tenantB, workload);
    await probe.expectActionStates(tenantB, workload);
    await probe.expectGapFreeChains(tenantB);
    const claimed = await db.query(`SELECT count(*)::int AS n FROM event_ids WHERE tenant_id = $1`, [tenantB]);
    expect(claimed.rows[0].n).toBe(workload.distinct.length);
    expect(await probe.verifyTenant(tenantB, { waitForCheckpoint: true })).toMatchObject({ ok: true, eventsChecked: workload.distinct.length });
  });

  it('should send a malformed message to the DLQ with its reason and project the events after it', async () => {
    const actionId = `dlq-${suffix}`;
    const key = actionEventKey(tenantA, actionId);
    const badSchema = { ...anActionEvent(tenantA, { type: 'action.attempted', actionId }), tool: { name: 'x', riskLevel: 'apocalyptic' } };
    const good = anActionEvent(tenantA, { type: 'action.attempted', actionId });
    const unknownTenant = anActionEvent(randomUUID(), { type: 'action.attempted', actionId });

    await producer.send(ACTION_EVENTS_TOPIC, [
      { key, value: '{"type": "action.attempted", ' },
      { key, value: JSON.stringify(badSchema) },
      { key, value: JSON.stringify(unknownTenant) },
      { key, value: JSON.stringify(good) },
    ]);

    await waitFor(async () => (await db.query(`SELECT 1 FROM audit_events WHERE tenant_id = $1 AND event_id = $2`, [tenantA, good.eventId])).rowCount === 1, {
      timeoutMs: 30_000,
      what: 'the event after the malformed ones',
    });
    const letters = await readTopic(ACTION_EVENTS_DLQ_TOPIC, (m) => m.key?.toString() === key, 3);
    const reasons = letters.map((m) => m.headers![DLQ_REASON_HEADER]!.toString());
    expect(reasons[0]).toMatch(/^invalid_json: invalid JSON/);
    expect(reasons[1]).toMatch(/^schema: .*\/tool\/riskLevel enum/);
    expect(reasons[2]).toMatch(/^unknown_tenant: unknown tenant/);
    expect(letters[0].value!.toString()).toBe('{"type": "action.attempted", ');
    const { rows } = await db.query(`SELECT status FROM actions WHERE tenant_id = $1 AND action_id = $2`, [tenantA, actionId]);
    expect(rows).toEqual([{ status: 'attempted' }]);
  });

  it('should publish signed checkpoints that verify with the public key', async () => {
    const published = await readTopic(CHECKPOINTS_TOPIC, (m) => m.key?.toString() === tenantA, 1);
    const cp = JSON.parse(published[0].value!.toString()) as Checkpoint;

    expect(cp.tenantId).toBe(tenantA);
    expect(cp.keyId).toBe(keyId);
    expect(verifyCheckpointSignature(cp, publicKey)).toBe(true);
  });

  it('should reject UPDATE and DELETE on audit_events', async () => {
    await expect(db.query(`UPDATE audit_events SET type = 'action.executed' WHERE tenant_id = $1`, [tenantA])).rejects.toThrow(/append-only: UPDATE/);
    await expect(db.query(`DELETE FROM audit_events WHERE tenant_id = $1`, [tenantA])).rejects.toThrow(/append-only: DELETE/);
  });

  it('should name the edited row when a row was changed with the trigger disabled', async () => {
    const before = await probe.verifyTenant(tenantA);
    expect(before.ok).toBe(true);
    const { rows } = await db.query(
      `SELECT tableoid::regclass::text AS part, event_id::text AS event_id, kafka_partition, chain_seq::text AS chain_seq
         FROM audit_events WHERE tenant_id = $1 AND type = 'action.attempted' AND chain_seq > 3 ORDER BY kafka_partition, chain_seq LIMIT 1`,
      [tenantA],
    );
    const target = rows[0];

    await probe.asSuperuserWithoutTrigger(target.part, `UPDATE ${target.part} SET event_json = replace(event_json, '"orderId":"A-1001"', '"orderId":"A-9999"') WHERE tenant_id = $1 AND event_id = $2`, [tenantA, target.event_id]);

    const report = await probe.verifyTenant(tenantA);
    expect(report.ok).toBe(false);
    expect(report.firstFailure).toMatchObject({ kind: 'hash_mismatch', eventId: target.event_id, partition: target.kafka_partition, chainSeq: target.chain_seq });
  });

  it('should detect rows deleted from the end of a chain against the signed checkpoint', async () => {
    await probe.verifyTenant(tenantB, { waitForCheckpoint: true });
    const { rows } = await db.query(
      `SELECT tableoid::regclass::text AS part, kafka_partition, chain_seq FROM audit_events
        WHERE tenant_id = $1 ORDER BY chain_seq DESC, kafka_partition LIMIT 1`,
      [tenantB],
    );
    const { part, kafka_partition: partition } = rows[0];
    const head = BigInt(rows[0].chain_seq);

    await probe.asSuperuserWithoutTrigger(part, `DELETE FROM ${part} WHERE tenant_id = $1 AND kafka_partition = $2 AND chain_seq > $3`, [tenantB, partition, (head - 3n).toString()]);

    const report = await probe.verifyTenant(tenantB);
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([expect.objectContaining({ kind: 'truncated', partition, chainSeq: (head - 2n).toString() })]);
  });

  it('should keep no PII in clear text anywhere in the database', async () => {
    const { rows: columns } = await db.query(
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE 'audit_events\\_%'
          AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea', 'ARRAY')`,
    );
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining(['audit_events.event_json', 'actions.projection_state', 'subject_keys.wrapped_key']));
    const hits: string[] = [];
    for (const { table_name: table, column_name: column, data_type: type } of columns) {
      const value = type === 'bytea' ? `"${column}"` : `convert_to("${column}"::text, 'UTF8')`;
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM "${table}" WHERE position(convert_to($1, 'UTF8') in ${value}) > 0 OR position(convert_to($2, 'UTF8') in ${value}) > 0`,
        [piiMarker, ipPrefix],
      );
      if (rows[0].n > 0) hits.push(`${table}.${column}`);
    }
    expect(hits).toEqual([]);
    // The PII was really there to be found: every attempted event carried it.
    expect(workloadA.distinct.filter((e) => JSON.stringify(e).includes(piiMarker)).length).toBeGreaterThan(100);
  });

  // ---------------------------------------------------------------------------------------------

  async function produce(messages: { key: string; value: string }[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 500) await producer.send(ACTION_EVENTS_TOPIC, messages.slice(i, i + 500));
  }

  /** Reads a topic from the beginning until `count` messages match. */
  async function readTopic(topic: string, match: (m: KafkaMessage) => boolean, count: number): Promise<KafkaMessage[]> {
    const found: KafkaMessage[] = [];
    const runner = new BatchConsumerRunner(kafka, {
      groupId: `projector-e2e-reader-${uniqueSuffix()}`,
      topics: [topic],
      fromBeginning: true,
      handleBatch: async (b) => void found.push(...b.messages.filter(match)),
    });
    await runner.start();
    try {
      await waitFor(() => found.length >= count, { timeoutMs: 30_000, what: `${count} matching messages on ${topic}` });
    } finally {
      await runner.stop();
    }
    return found.sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
  }
});

