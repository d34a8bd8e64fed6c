import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  ACTION_EVENTS_DLQ_TOPIC,
  ACTION_EVENTS_TOPIC,
  actionEventKey,
  CHECKPOINTS_TOPIC,
  DLQ_REASON_HEADER,
  SIGNAL_TYPES,
  type ActionEvent,
  type Checkpoint,
  type EventType,
} from '@agent-ledger/contracts';
import {
  loadPublicKey,
  parseStoredCheckpoint,
  PiiCipher,
  revealEventPii,
  signingKeyId,
  STORED_ROW_SQL_COLUMNS,
  verifyChains,
  verifyCheckpointSignature,
  type StoredRow,
  type VerificationReport,
} from '@agent-ledger/integrity';
import { BatchConsumerRunner, createKafka, LedgerProducer, type KafkaMessage } from '@agent-ledger/kafka';
import { anActionEvent, ServiceProcess, stackEnv, uniqueSuffix, waitFor } from '@agent-ledger/testing';

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
    DATABASE_URL: env.databaseUrl,
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
    await waitUntilProjected(tenantA, workloadA);

    await expectStoredExactlyOnce(tenantA, workloadA);
    await expectActionStates(tenantA, workloadA);
    await expectGapFreeChains(tenantA);
    const report = await verifyTenant(tenantA, { waitForCheckpoint: true });
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
    await waitUntilProjected(tenantB, workload);

    await expectStoredExactlyOnce(tenantB, workload);
    await expectActionStates(tenantB, workload);
    await expectGapFreeChains(tenantB);
    const claimed = await db.query(`SELECT count(*)::int AS n FROM event_ids WHERE tenant_id = $1`, [tenantB]);
    expect(claimed.rows[0].n).toBe(workload.distinct.length);
    expect(await verifyTenant(tenantB, { waitForCheckpoint: true })).toMatchObject({ ok: true, eventsChecked: workload.distinct.length });
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
    const before = await verifyTenant(tenantA);
    expect(before.ok).toBe(true);
    const { rows } = await db.query(
      `SELECT tableoid::regclass::text AS part, event_id::text AS event_id, kafka_partition, chain_seq::text AS chain_seq
         FROM audit_events WHERE tenant_id = $1 AND type = 'action.attempted' AND chain_seq > 3 ORDER BY kafka_partition, chain_seq LIMIT 1`,
      [tenantA],
    );
    const target = rows[0];

    await asSuperuserWithoutTrigger(target.part, `UPDATE ${target.part} SET event_json = replace(event_json, '"orderId":"A-1001"', '"orderId":"A-9999"') WHERE tenant_id = $1 AND event_id = $2`, [tenantA, target.event_id]);

    const report = await verifyTenant(tenantA);
    expect(report.ok).toBe(false);
    expect(report.firstFailure).toMatchObject({ kind: 'hash_mismatch', eventId: target.event_id, partition: target.kafka_partition, chainSeq: target.chain_seq });
  });

  it('should detect rows deleted from the end of a chain against the signed checkpoint', async () => {
    await verifyTenant(tenantB, { waitForCheckpoint: true });
    const { rows } = await db.query(
      `SELECT tableoid::regclass::text AS part, kafka_partition, chain_seq FROM audit_events
        WHERE tenant_id = $1 ORDER BY chain_seq DESC, kafka_partition LIMIT 1`,
      [tenantB],
    );
    const { part, kafka_partition: partition } = rows[0];
    const head = BigInt(rows[0].chain_seq);

    await asSuperuserWithoutTrigger(part, `DELETE FROM ${part} WHERE tenant_id = $1 AND kafka_partition = $2 AND chain_seq > $3`, [tenantB, partition, (head - 3n).toString()]);

    const report = await verifyTenant(tenantB);
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

  async function countEvents(tenantId: string): Promise<number> {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1`, [tenantId]);
    return rows[0].n;
  }

  /** Every event stored and the group past the high watermark of every partition (duplicates consumed too). */
  async function waitUntilProjected(tenantId: string, workload: Workload): Promise<void> {
    await waitFor(async () => (await countEvents(tenantId)) >= workload.distinct.length, { timeoutMs: 90_000, what: `${workload.distinct.length} events of ${tenantId}` });
    const admin = kafka.admin();
    await admin.connect();
    const high = await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC);
    await admin.disconnect();
    await waitFor(
      async () => {
        const { rows } = await db.query(`SELECT kafka_partition, next_offset::text AS next FROM consumer_offsets WHERE group_id = $1 AND topic = $2`, [groupId, ACTION_EVENTS_TOPIC]);
        const next = new Map(rows.map((r) => [r.kafka_partition as number, BigInt(r.next)]));
        return high.every((h) => (next.get(h.partition) ?? 0n) >= BigInt(h.high));
      },
      { timeoutMs: 30_000, what: 'stored offsets to reach the high watermarks' },
    );
  }

  async function expectStoredExactlyOnce(tenantId: string, workload: Workload): Promise<void> {
    const { rows } = await db.query(`SELECT event_id::text AS id, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 GROUP BY event_id`, [tenantId]);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(rows.map((r) => r.id).sort()).toEqual(workload.distinct.map((e) => e.eventId).sort());
  }

  async function expectActionStates(tenantId: string, workload: Workload): Promise<void> {
    const { rows } = await db.query(`SELECT action_id, status, anomaly, event_count FROM actions WHERE tenant_id = $1 AND action_id LIKE 'act-%'`, [tenantId]);
    const actual = Object.fromEntries(rows.map((r) => [r.action_id, { status: r.status, anomaly: r.anomaly, eventCount: r.event_count }]));
    expect(actual).toEqual(workload.expectedActions);
  }

  async function expectGapFreeChains(tenantId: string): Promise<void> {
    const { rows } = await db.query(
      `SELECT e.kafka_partition, min(e.chain_seq)::text AS lo, max(e.chain_seq)::text AS hi, count(*)::text AS n, h.chain_seq::text AS head
         FROM audit_events e JOIN chain_heads h ON h.tenant_id = e.tenant_id AND h.kafka_partition = e.kafka_partition
        WHERE e.tenant_id = $1 GROUP BY e.kafka_partition, h.chain_seq`,
      [tenantId],
    );
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) expect({ partition: r.kafka_partition, lo: r.lo, hi: r.hi, head: r.head }).toEqual({ partition: r.kafka_partition, lo: '1', hi: r.n, head: r.n });
  }

  /** Verifies a tenant's chains against its checkpoints signed with this test's key. */
  async function verifyTenant(tenantId: string, opts: { waitForCheckpoint?: boolean } = {}): Promise<VerificationReport> {
    if (opts.waitForCheckpoint) {
      await waitFor(
        async () => {
          const heads = await db.query(`SELECT kafka_partition AS partition, chain_seq::text AS seq FROM chain_heads WHERE tenant_id = $1 ORDER BY 1`, [tenantId]);
          const latest = (await checkpointsOf(tenantId)).at(-1);
          return latest && JSON.stringify(latest.heads.map((h) => ({ partition: h.partition, seq: h.chainSeq }))) === JSON.stringify(heads.rows);
        },
        { timeoutMs: 20_000, what: 'a checkpoint covering the current heads' },
      );
    }
    const { rows } = await db.query(`SELECT ${STORED_ROW_SQL_COLUMNS} FROM audit_events WHERE tenant_id = $1 ORDER BY kafka_partition, chain_seq`, [tenantId]);
    return verifyChains(rows as StoredRow[], await checkpointsOf(tenantId), publicKey);
  }

  async function checkpointsOf(tenantId: string): Promise<Checkpoint[]> {
    const { rows } = await db.query(`SELECT payload, signature FROM checkpoints WHERE tenant_id = $1 AND key_id = $2 ORDER BY created_at`, [tenantId, keyId]);
    return rows.map((r) => parseStoredCheckpoint(r.payload, r.signature));
  }

  /** Runs one statement as the superuser with the append-only trigger of that partition disabled (atomically). */
  async function asSuperuserWithoutTrigger(partitionTable: string, sql: string, params: unknown[]): Promise<void> {
    const admin = new Client({ connectionString: env.databaseUrl });
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query(`ALTER TABLE ${partitionTable} DISABLE TRIGGER audit_events_no_update_delete`);
      const result = await admin.query(sql, params);
      expect(result.rowCount).toBeGreaterThan(0);
      await admin.query(`ALTER TABLE ${partitionTable} ENABLE TRIGGER audit_events_no_update_delete`);
      await admin.query('COMMIT');
    } finally {
      await admin.end();
    }
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

interface Workload {
  /** What is produced: 90% distinct events, 10% re-deliveries of them, shuffled. */
  messages: { key: string; value: string }[];
  distinct: ActionEvent[];
  expectedActions: Record<string, { status: string; anomaly: boolean; eventCount: number }>;
}

/**
 * `actions` actions through five lifecycles (two of them anomalous), padded with signals of the same
 * sessions to 1,800 distinct events, each tenth re-sent: 2,000 messages for 200 actions, shuffled.
 */
function buildWorkload(tenantId: string, actions: number, piiMarker: string, ipPrefix: string): Workload {
  const distinct: ActionEvent[] = [];
  const expectedActions: Workload['expectedActions'] = {};
  const base = Date.now() - 3_600_000;
  const at = (i: number, step: number) => new Date(base + i * 1_000 + step * 10).toISOString();
  const required = { required: true } as const;
  const lifecycles: { steps: [EventType, Partial<ActionEvent>][]; status: string; anomaly: boolean }[] = [
    { steps: [['action.attempted', { approval: required }], ['action.confirmed', { approval: { required: true, decision: 'approved', approvedBy: 'lead@example.com' } }], ['action.executed', {}]], status: 'executed', anomaly: false },
    { steps: [['action.attempted', {}], ['action.failed', {}]], status: 'failed', anomaly: false },
    { steps: [['action.attempted', { approval: required }], ['action.cancelled', { approval: { required: true, decision: 'rejected' } }]], status: 'cancelled', anomaly: false },
    { steps: [['action.attempted', {}], ['action.confirmed', {}], ['action.executed', {}], ['action.cancelled', {}]], status: 'executed', anomaly: true },
    { steps: [['action.attempted', { approval: required }], ['action.cancelled', { approval: { required: true, decision: 'rejected' } }], ['action.executed', {}]], status: 'executed', anomaly: true },
  ];
  for (let i = 0; i < actions; i++) {
    const actionId = `act-${i}`;
    const sessionId = `sess-${i}`;
    const life = lifecycles[i % lifecycles.length];
    life.steps.forEach(([type, extra], step) => {
      const pii = type === 'action.attempted';
      distinct.push(
        anActionEvent(tenantId, {
          type,
          actionId,
          sessionId,
          occurredAt: at(i, step),
          ...(pii
            ? { subject: { id: `cust-${i % 40}`, pii: { email: `${piiMarker}-${i}@example.com`, name: `Jane ${piiMarker}` } }, actor: { type: 'user', id: `user-${i % 15}`, ip: `${ipPrefix}::${(i + 1).toString(16)}` } }
            : {}),
          ...extra,
        }),
      );
    });
    expectedActions[actionId] = { status: life.status, anomaly: life.anomaly, eventCount: life.steps.length };
  }
  for (let n = 0; distinct.length < 1_800; n++) {
    const i = n % actions;
    const type: EventType = n % 7 === 6 ? 'change.recorded' : SIGNAL_TYPES[n % SIGNAL_TYPES.length];
    const event = anActionEvent(tenantId, { type, sessionId: `sess-${i}`, occurredAt: at(i, 9) });
    delete (event as Partial<ActionEvent>).actionId;
    distinct.push(event);
  }
  const messageOf = (e: ActionEvent) => ({ key: actionEventKey(tenantId, e), value: JSON.stringify(e) });
  const messages = distinct.map(messageOf);
  for (let i = 0; i < 200; i++) messages.push(messageOf(distinct[(i * 9) % distinct.length]));
  for (let i = messages.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [messages[i], messages[j]] = [messages[j], messages[i]];
  }
  return { messages, distinct, expectedActions };
}
