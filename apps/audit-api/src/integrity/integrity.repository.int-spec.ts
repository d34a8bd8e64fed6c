import { randomUUID } from 'node:crypto';
import { createLedgerDataSource, TenantDatabase, type DataSource } from '@agent-ledger/persistence';
import { stackEnv } from '@agent-ledger/testing';
import { IntegrityRepository } from './integrity.repository';

/** The checkpoint pages against the real PostgreSQL: ties and microseconds must not repeat or skip a row. */
describe(`${IntegrityRepository.name} checkpoints`, () => {
  const tenantId = randomUUID();
  let ds: DataSource;
  let repository: IntegrityRepository;
  /** Inserted ids in (created_at, id) order. */
  let expected: string[];

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    repository = new IntegrityRepository(new TenantDatabase(ds));
    // 1,203 checkpoints over 3 instants with microseconds: far more ties than a page holds.
    const times = ['2026-03-01T10:00:00.000001Z', '2026-03-01T10:00:00.000002Z', '2026-03-01T10:00:00.999999Z'];
    const rows = Array.from({ length: 1_203 }, (_, i) => ({ id: randomUUID(), createdAt: times[i % 3] }));
    for (let i = 0; i < rows.length; i += 400) {
      const chunk = rows.slice(i, i + 400);
      await ds.query(
        `INSERT INTO checkpoints (id, tenant_id, created_at, heads, key_id, signature, payload)
         SELECT u.id, $1::uuid, u.created_at, '[]'::jsonb, 'k', 'c2ln', json_build_object('checkpointId', u.id, 'tenantId', $4::text, 'createdAt', u.created_at, 'heads', '[]'::json, 'keyId', 'k')::text
           FROM unnest($2::uuid[], $3::timestamptz[]) AS u(id, created_at)`,
        [tenantId, chunk.map((r) => r.id), chunk.map((r) => r.createdAt), tenantId],
      );
    }
    expected = [...rows].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1)).map((r) => r.id);
  });

  afterAll(async () => {
    // checkpoints are append-only (a trigger); the superuser's replica mode skips triggers for this cleanup.
    await ds.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`DELETE FROM checkpoints WHERE tenant_id = $1`, [tenantId]);
    });
    await ds.destroy();
  });

  it('should yield every checkpoint exactly once, oldest first, when they span several pages with tied times', async () => {
    const ids: string[] = [];
    for await (const cp of repository.reader(tenantId).checkpoints()) ids.push(cp.checkpointId);
    expect(ids).toEqual(expected);
  });

  it('should stop before `to` when given one', async () => {
    let n = 0;
    for await (const cp of repository.reader(tenantId).checkpoints(new Date('2026-03-01T10:00:00.500Z'))) {
      expect(cp.tenantId).toBe(tenantId);
      n += 1;
    }
    expect(n).toBe(802);
  });

  it('should read the chain heads in one snapshot that a later commit does not change', async () => {
    await ds.query(`INSERT INTO chain_heads (tenant_id, kafka_partition, chain_seq, hash, updated_at) VALUES ($1, 4, 7, $2, now())`, [tenantId, Buffer.alloc(32, 7)]);
    try {
      const [before, after] = await repository.inSnapshot(tenantId, async (reader) => {
        const first = await reader.heads();
        await ds.query(`UPDATE chain_heads SET chain_seq = 8 WHERE tenant_id = $1 AND kafka_partition = 4`, [tenantId]); // another connection commits
        return [first, await reader.heads()];
      });

      expect(before).toEqual([{ tenantId, partition: 4, chainSeq: '7', hash: Buffer.alloc(32, 7) }]);
      expect(after).toEqual(before);
      expect((await repository.reader(tenantId).heads())[0].chainSeq).toBe('8');
    } finally {
      await ds.query(`DELETE FROM chain_heads WHERE tenant_id = $1`, [tenantId]);
    }
  });
});
