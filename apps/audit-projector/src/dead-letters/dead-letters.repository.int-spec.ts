import { randomUUID } from 'node:crypto';
import { createLedgerDataSource, type DataSource } from '@agent-ledger/persistence';
import { stackEnv, uniqueSuffix } from '@agent-ledger/testing';
import type { DeadLetterRow } from './dead-letter.codec';
import { DeadLettersRepository } from './dead-letters.repository';

/** The projector's writes to dead_letters against the real PostgreSQL (rows of a topic name of its own). */
describe(`${DeadLettersRepository.name} (PostgreSQL)`, () => {
  const dlqTopic = `test-dlq-${uniqueSuffix()}`;
  const tenantId = randomUUID();
  let ds: DataSource;
  let repository: DeadLettersRepository;
  let offset = 0;

  const letter = (overrides: Partial<DeadLetterRow> = {}): DeadLetterRow => ({
    tenantCandidate: tenantId,
    consumerGroup: 'projector-test',
    sourceTopic: 'agent-ledger.action-events.v1',
    sourcePartition: 2,
    sourceOffset: '1234',
    dlqTopic,
    dlqPartition: 0,
    dlqOffset: String(offset++),
    eventId: randomUUID(),
    eventType: 'action.attempted',
    errorClass: 'invalid',
    reasonCode: 'schema',
    reason: 'schema: /tool/riskLevel enum',
    messageKey: `${tenantId}:a-1`,
    messageValue: Buffer.from('{"type":"action.attempted"}'),
    messageHeaders: { 'x-ledger-schema': 'action-event.v1' },
    valueBytes: 27,
    deadLetteredAt: new Date('2026-03-01T10:00:00Z'),
    ...overrides,
  });
  const rows = () => ds.query(`SELECT tenant_id::text AS tenant_id, dlq_offset::text AS dlq_offset, message_key, message_value, message_headers FROM dead_letters WHERE dlq_topic = $1 ORDER BY dlq_offset`, [dlqTopic]);

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    repository = new DeadLettersRepository(ds);
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `dead-letters-int-${dlqTopic}`]);
  });

  afterAll(async () => {
    await ds.query(`DELETE FROM dead_letters WHERE dlq_topic = $1`, [dlqTopic]);
    await ds.destroy();
  });

  it('should store each letter once when the same batch is stored twice', async () => {
    const batch = [letter(), letter()];

    expect(await repository.store(batch)).toEqual({ inserted: 2, refused: [] });
    expect(await repository.store(batch)).toEqual({ inserted: 0, refused: [] });

    const stored = (await rows()).filter((r: { dlq_offset: string }) => batch.some((l) => l.dlqOffset === r.dlq_offset));
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ tenant_id: tenantId, message_key: `${tenantId}:a-1`, message_headers: { 'x-ledger-schema': 'action-event.v1' } });
    expect(stored[0].message_value.toString()).toBe('{"type":"action.attempted"}');
  });

  it('should store no tenant when the tenant the letter names does not exist', async () => {
    const l = letter({ tenantCandidate: randomUUID() });

    await repository.store([l]);

    expect((await rows()).find((r: { dlq_offset: string }) => r.dlq_offset === l.dlqOffset)).toMatchObject({ tenant_id: null });
  });

  it('should store the other letters of the batch and report the one PostgreSQL refuses when a letter is bad data', async () => {
    const good = letter();
    const bad = letter({ sourcePartition: 2 ** 40 });

    const result = await repository.store([good, bad]);

    expect(result).toEqual({ inserted: 1, refused: [bad] });
    expect((await rows()).map((r: { dlq_offset: string }) => r.dlq_offset)).toContain(good.dlqOffset);
  });
});
