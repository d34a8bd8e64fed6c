import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { actionEventKey, type ActionEvent } from '@agent-ledger/contracts';
import { ERASED_PII, loadSigningKey, PiiCipher, revealEventPii, STORED_ROW_SQL_COLUMNS, verifyChains, type StoredRow } from '@agent-ledger/integrity';
import { createKafka, DlqPublisher, LedgerProducer, type KafkaMessage, type PartitionBatch } from '@agent-ledger/kafka';
import { createLedgerDataSource, type DataSource } from '@agent-ledger/persistence';
import type { Redis } from 'ioredis';
import { anActionEvent, stackEnv, uniqueSuffix, waitFor } from '@agent-ledger/testing';
import { CheckpointRepository } from '../../apps/audit-projector/src/checkpoints/checkpoint.repository';
import { CheckpointService } from '../../apps/audit-projector/src/checkpoints/checkpoint.service';
import { ActionProjector } from '../../apps/audit-projector/src/projection/action-projector';
import { ActionsRepository } from '../../apps/audit-projector/src/projection/actions.repository';
import { AnomalyFindingsRepository } from '../../apps/audit-projector/src/projection/anomaly-findings.repository';
import { ProducerSequencesRepository } from '../../apps/audit-projector/src/projection/producer-sequences.repository';
import { MerkleTreeRepository } from '../../apps/audit-projector/src/projection/merkle-tree.repository';
import { MerkleWriter } from '../../apps/audit-projector/src/projection/merkle-writer';
import { ChainRepository } from '../../apps/audit-projector/src/projection/chain.repository';
import { ChainWriter } from '../../apps/audit-projector/src/projection/chain-writer';
import { ProjectionDeadLetters } from '../../apps/audit-projector/src/projection/projection-dead-letters';
import { ProjectionRepository } from '../../apps/audit-projector/src/projection/projection.repository';
import { ProjectionService } from '../../apps/audit-projector/src/projection/projection.service';
import { ProjectorSubjectKeys } from '../../apps/audit-projector/src/projection/projector-subject-keys';
import { StatsRollups } from '../../apps/audit-projector/src/rollups/stats-rollups';
import { TenantDirectory } from '../../apps/audit-projector/src/projection/tenant-directory';
import type { ProjectorSettings } from '../../apps/audit-projector/src/shared/projector-settings';

/**
 * The projector's batch transaction against the real PostgreSQL: what happens when deliveries
 * overlap, when the connection dies mid-batch, when the DLQ cannot be reached, and when a subject
 * was erased. Batches are handed to the service directly (as the Kafka runner would).
 */
describe('ProjectionService against the real PostgreSQL', () => {
  const env = stackEnv();
  const suffix = uniqueSuffix();
  const appName = `projector-int-${suffix}`;
  const topic = `test.projector-int.${suffix}`;
  const tenantId = randomUUID();
  const masterKey = randomBytes(32);
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'projector-int-spec', retries: 0, requestTimeoutMs: 2_000 });
  const producer = new LedgerProducer(kafka);
  const db = new Client({ connectionString: env.databaseUrl });
  let ds: DataSource;
  let offset = 0;

  const settings = (groupId: string): ProjectorSettings => ({
    groupId,
    topic,
    concurrency: 2,
    maxBatchBytes: 1_048_576,
    sessionTimeoutMs: 10_000,
    cipher: new PiiCipher(masterKey),
    signingKey: loadSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64')),
    checkpointEveryEvents: 1_000_000,
    checkpointEveryMs: 1_000_000,
    ephemeralKeys: [],
  });

  /** A service as the app wires it; `dlqTopic` may name a topic that does not exist. */
  const service = (groupId: string, dlqTopic = `${topic}.dlq-missing`) => {
    const s = settings(groupId);
    // Erasures are not followed here (no Redis subscription: onModuleInit is not called).
    const subjectKeys = new ProjectorSubjectKeys({} as Redis, s);
    return new ProjectionService(
      new ProjectionRepository(ds),
      new TenantDirectory(),
      subjectKeys,
      new ChainWriter(new ChainRepository()),
      new ActionProjector(new ActionsRepository()),
      new ProjectionDeadLetters(new DlqPublisher(producer, dlqTopic), s),
      new StatsRollups(),
      new CheckpointService(new CheckpointRepository(ds), producer, s),
      new AnomalyFindingsRepository(),
      new ProducerSequencesRepository(),
      new MerkleWriter(new MerkleTreeRepository()),
      s,
    );
  };

  const batchOf = (messages: KafkaMessage[], partition = 0): PartitionBatch => ({
    topic,
    partition,
    messages,
    highWatermark: String(Number(messages[messages.length - 1].offset) + 1),
    heartbeat: async () => undefined,
  });

  /** Messages at consecutive offsets of partition 0, as Kafka would deliver them. */
  const messagesOf = (values: (ActionEvent | string)[]): KafkaMessage[] =>
    values.map((v) => {
      const value = typeof v === 'string' ? v : JSON.stringify(v);
      const key = typeof v === 'string' ? `${tenantId}:raw` : actionEventKey(tenantId, v);
      return { key: Buffer.from(key), value: Buffer.from(value), offset: String(offset++), timestamp: String(Date.now()), attributes: 0, headers: {}, size: 0 } as unknown as KafkaMessage;
    });

  const events = (n: number): ActionEvent[] =>
    Array.from({ length: n }, (_, i) =>
      anActionEvent(tenantId, {
        type: 'action.attempted',
        actionId: `int-${suffix}-${offset + i}`,
        subject: { id: `cust-${suffix}-${i % 3}`, pii: { email: `jane${i}@example.com` } },
      }),
    );

  const count = async (sql: string, params: unknown[]): Promise<number> => (await db.query(sql, params)).rows[0].n;
  const storedCount = (ids: string[]) => count(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND event_id = ANY($2::uuid[])`, [tenantId, ids]);
  const nextOffset = async (groupId: string) =>
    (await db.query(`SELECT next_offset::int AS n FROM consumer_offsets WHERE group_id = $1 AND topic = $2 AND kafka_partition = 0`, [groupId, topic])).rows[0]?.n as number | undefined;

  beforeAll(async () => {
    await db.connect();
    await db.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `projector-int-${tenantId}`]);
    ds = createLedgerDataSource({ url: env.databaseUrl, poolSize: 4, applicationName: appName });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await producer.disconnect();
    await db.end();
  });

  it('should write each event once when two deliveries of the same batch overlap', async () => {
    const groupId = `g1-${suffix}`;
    const evs = events(40);
    const messages = messagesOf(evs);
    const projector = service(groupId);

    const results = await Promise.all([projector.handleBatch(batchOf(messages)), service(groupId).handleBatch(batchOf(messages))]);

    expect(results.map((r) => r.projected).sort()).toEqual([0, 40]);
    expect(results.map((r) => r.alreadyStored).sort()).toEqual([0, 40]);
    expect(await storedCount(evs.map((e) => e.eventId))).toBe(40);
    expect(await nextOffset(groupId)).toBe(Number(messages[39].offset) + 1);
  });

  it('should skip what was stored when an overlapping batch is redelivered after a commit', async () => {
    const groupId = `g2-${suffix}`;
    const evs = events(20);
    const messages = messagesOf(evs);
    const projector = service(groupId);

    const first = await projector.handleBatch(batchOf(messages.slice(0, 12)));
    const second = await projector.handleBatch(batchOf(messages.slice(6)));

    expect(first).toMatchObject({ projected: 12, alreadyStored: 0 });
    expect(second).toMatchObject({ projected: 8, alreadyStored: 6 });
    expect(await storedCount(evs.map((e) => e.eventId))).toBe(20);
  });

  it('should count an event already stored by another group as a duplicate', async () => {
    const evs = events(5);
    await service(`g3a-${suffix}`).handleBatch(batchOf(messagesOf(evs)));

    const again = await service(`g3b-${suffix}`).handleBatch(batchOf(messagesOf([...evs, evs[0]])));

    expect(again).toMatchObject({ projected: 0, duplicates: 6 });
    expect(await storedCount(evs.map((e) => e.eventId))).toBe(5);
  });

  it('should leave nothing half-written when the database connection dies in the middle of a batch', async () => {
    const groupId = `g4-${suffix}`;
    const projector = service(groupId);
    await projector.handleBatch(batchOf(messagesOf(events(1)))); // the chain head of this partition exists now
    const before = await nextOffset(groupId);
    const subject = `cust-new-${suffix}`;
    const evs = events(10).map((e) => ({ ...e, subject: { id: subject, pii: { email: 'x@example.com' } } }));
    const messages = messagesOf(evs);

    // Hold the chain head: the batch claims its event ids and creates the subject key, then waits here.
    const blocker = new Client({ connectionString: env.databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM chain_heads WHERE tenant_id = $1 AND kafka_partition = 0 FOR UPDATE`, [tenantId]);
    const pending = projector.handleBatch(batchOf(messages));
    const victim = await waitFor(
      async () =>
        (await db.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE '%chain_heads%'`, [appName])).rows[0]?.pid as
          | number
          | undefined,
      { timeoutMs: 10_000, intervalMs: 20, what: 'the batch to wait on the chain head' },
    );
    await db.query(`SELECT pg_terminate_backend($1)`, [victim]);
    await expect(pending).rejects.toThrow();
    await blocker.query('ROLLBACK');
    await blocker.end();

    expect(await count(`SELECT count(*)::int AS n FROM event_ids WHERE tenant_id = $1 AND event_id = ANY($2::uuid[])`, [tenantId, evs.map((e) => e.eventId)])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2`, [tenantId, subject])).toBe(0);
    expect(await storedCount(evs.map((e) => e.eventId))).toBe(0);
    expect(await nextOffset(groupId)).toBe(before);

    // The runner retries the same batch: now it is written, once.
    expect(await projector.handleBatch(batchOf(messages))).toMatchObject({ projected: 10 });
    expect(await storedCount(evs.map((e) => e.eventId))).toBe(10);
  });

  it('should not advance the offset or write anything when the DLQ cannot be reached', async () => {
    const groupId = `g5-${suffix}`;
    const projector = service(groupId, `${topic}.no-such-dlq`);
    await projector.handleBatch(batchOf(messagesOf(events(1))));
    const before = await nextOffset(groupId);
    const evs = events(3);

    await expect(projector.handleBatch(batchOf(messagesOf(['{not json', ...evs])))).rejects.toThrow();

    expect(await storedCount(evs.map((e) => e.eventId))).toBe(0);
    expect(await nextOffset(groupId)).toBe(before);
  });

  it('should chain every tenant gap-free across batches and pass verification', async () => {
    const { rows } = await db.query(`SELECT ${STORED_ROW_SQL_COLUMNS} FROM audit_events WHERE tenant_id = $1 ORDER BY kafka_partition, chain_seq`, [tenantId]);

    const report = await verifyChains(rows as StoredRow[], [], generateKeyPairSync('ed25519').publicKey);

    // No checkpoint here: every row verifies, none is signed, so the answer is unverified (never ok).
    expect(report).toMatchObject({ status: 'unverified', failures: [], eventsChecked: rows.length });
    expect(report.chains).toEqual([expect.objectContaining({ partition: 0, fromSeq: '1', toSeq: String(rows.length) })]);
  });

  it('should shred the new PII of an erased subject on arrival', async () => {
    const subject = `erased-${suffix}`;
    const keyId = randomUUID();
    await db.query(`INSERT INTO subject_keys (tenant_id, subject_id, key_id, wrapped_key, erased_at) VALUES ($1, $2, $3, NULL, now())`, [tenantId, subject, keyId]);
    const [event] = events(1).map((e) => ({ ...e, subject: { id: subject, pii: { email: 'gone@example.com' } } }));

    await service(`g6-${suffix}`).handleBatch(batchOf(messagesOf([event])));

    const { rows } = await db.query(`SELECT event_json FROM audit_events WHERE tenant_id = $1 AND event_id = $2`, [tenantId, event.eventId]);
    const stored = JSON.parse(rows[0].event_json);
    expect(stored.subject.pii.kid).toBe(keyId);
    expect(rows[0].event_json).not.toContain('gone@example.com');
    expect(revealEventPii(stored, () => null).subject).toEqual({ id: subject, pii: ERASED_PII });
  });
});
