import { randomUUID } from 'node:crypto';
import { createLedgerDataSource, TenantDatabase, type DataSource } from '@agent-ledger/persistence';
import { stackEnv } from '@agent-ledger/testing';
import { DeadLettersRepository } from './dead-letters.repository';

/**
 * The list is newest first by the numeric id. The id is also selected as text: ordering by that
 * output name put 9999 after 10000 ("9" > "1") once ids reached another digit count.
 */
describe(`${DeadLettersRepository.name} order`, () => {
  const tenantId = randomUUID();
  // Ids far above the sequence, on both sides of a digit count.
  const ids = ['9999999999998', '9999999999999', '10000000000000', '10000000000001'];
  let ds: DataSource;
  let repository: DeadLettersRepository;

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    repository = new DeadLettersRepository(new TenantDatabase(ds), ds);
    await ds.query(
      `INSERT INTO dead_letters (id, tenant_id, consumer_group, source_topic, source_partition, source_offset, dlq_topic, dlq_partition, dlq_offset,
          error_class, reason_code, reason, value_bytes, dead_lettered_at)
       SELECT i, $1::uuid, 'order-check', 'agent-ledger.action-events.v1', 0, i, 'agent-ledger.action-events.dlq.v1', 0, i,
          'invalid', 'schema', 'schema: order check', 0, now()
         FROM unnest($2::bigint[]) AS i`,
      [tenantId, ids],
    );
  });

  afterAll(async () => {
    await ds.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`DELETE FROM dead_letters WHERE tenant_id = $1`, [tenantId]);
    });
    await ds.destroy();
  });

  it('should list the highest id first across a change of digit count, in the tenant view and in pages', async () => {
    const all = await repository.list({ tenantId }, {}, 10);
    expect(all.map((l) => l.id)).toEqual([...ids].reverse());

    const first = await repository.list({ tenantId }, {}, 2);
    const next = await repository.list({ tenantId }, {}, 2, first[first.length - 1].id);
    expect([...first, ...next].map((l) => l.id)).toEqual([...ids].reverse());
  });
});
