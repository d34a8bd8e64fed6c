import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { checkpointSigningPayload, type CheckpointHead, type CheckpointTree } from '@agent-ledger/contracts';
import { signCheckpoint, signingKeyId, verifyCheckpointSignature, type SigningKey } from '@agent-ledger/integrity';
import { createLedgerDataSource, type DataSource } from '@agent-ledger/persistence';
import { stackEnv } from '@agent-ledger/testing';
import { CheckpointRepository } from './checkpoint.repository';

/** Checkpoint writing against the real PostgreSQL: one writer per tenant, createdAt after the heads. */
describe(`${CheckpointRepository.name} (PostgreSQL)`, () => {
  const tenantId = randomUUID();
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key: SigningKey = { privateKey, publicKey, keyId: signingKeyId(publicKey) };
  let ds: DataSource;
  let repository: CheckpointRepository;

  const sign = (heads: CheckpointHead[], createdAt: string) => {
    const checkpoint = signCheckpoint({ checkpointId: randomUUID(), tenantId, createdAt, heads }, key);
    return { checkpoint, payload: checkpointSigningPayload(checkpoint).toString('utf8') };
  };
  const setHead = (partition: number, seq: number) =>
    ds.query(
      `INSERT INTO chain_heads (tenant_id, kafka_partition, chain_seq, hash, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (tenant_id, kafka_partition) DO UPDATE SET chain_seq = EXCLUDED.chain_seq, hash = EXCLUDED.hash`,
      [tenantId, partition, seq, Buffer.alloc(32, seq)],
    );

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 4 });
    await ds.initialize();
    repository = new CheckpointRepository(ds);
  });

  afterAll(async () => {
    await ds.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`); // checkpoints is append-only
      await m.query(`DELETE FROM checkpoints WHERE tenant_id = $1`, [tenantId]);
      await m.query(`DELETE FROM chain_heads WHERE tenant_id = $1`, [tenantId]);
    });
    await ds.destroy();
  });

  it("should sign the tenant's Merkle tree head, read with the heads, and store its size", async () => {
    const withTree = randomUUID();
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [withTree, `checkpoint-tree-${withTree}`]);
    try {
      await ds.query(`INSERT INTO chain_heads (tenant_id, kafka_partition, chain_seq, hash, updated_at) VALUES ($1, 0, 5, $2, now())`, [withTree, Buffer.alloc(32, 5)]);
      await ds.query(`INSERT INTO merkle_trees (tenant_id, tree_size, root_hash, updated_at) VALUES ($1, 5, $2, now())`, [withTree, Buffer.alloc(32, 9)]);
      const signTree = (heads: CheckpointHead[], createdAt: string, tree: CheckpointTree | undefined) => {
        const checkpoint = signCheckpoint({ checkpointId: randomUUID(), tenantId: withTree, createdAt, heads, tree }, key);
        return { checkpoint, payload: checkpointSigningPayload(checkpoint).toString('utf8') };
      };
      const cp = await repository.storeOverHeads(withTree, signTree);
      expect(cp?.tree).toEqual({ size: '5', rootHash: Buffer.alloc(32, 9).toString('hex') });
      expect(verifyCheckpointSignature(cp!, publicKey)).toBe(true);
      expect(verifyCheckpointSignature({ ...cp!, tree: { size: '4', rootHash: cp!.tree!.rootHash } }, publicKey)).toBe(false);
      const [row] = await ds.query(`SELECT tree_size::int AS size, payload FROM checkpoints WHERE id = $1`, [cp!.checkpointId]);
      expect(row.size).toBe(5);
      expect(JSON.parse(row.payload).tree.size).toBe('5');
    } finally {
      await ds.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`DELETE FROM checkpoints WHERE tenant_id = $1`, [withTree]);
        await m.query(`DELETE FROM chain_heads WHERE tenant_id = $1`, [withTree]);
      });
      await ds.query(`DELETE FROM tenants WHERE id = $1`, [withTree]); // its tree goes with it (ON DELETE CASCADE)
    }
  });

  it('should sign again when only the tree grew (the Merkle backfill), and the sweep should find such a tenant', async () => {
    const backfilled = randomUUID();
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [backfilled, `checkpoint-backfill-${backfilled}`]);
    const signTree = (heads: CheckpointHead[], createdAt: string, tree: CheckpointTree | undefined) => {
      const checkpoint = signCheckpoint({ checkpointId: randomUUID(), tenantId: backfilled, createdAt, heads, tree }, key);
      return { checkpoint, payload: checkpointSigningPayload(checkpoint).toString('utf8') };
    };
    const setTree = (size: number) =>
      ds.query(
        `INSERT INTO merkle_trees (tenant_id, tree_size, root_hash, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (tenant_id) DO UPDATE SET tree_size = EXCLUDED.tree_size, root_hash = EXCLUDED.root_hash`,
        [backfilled, size, Buffer.alloc(32, size)],
      );
    try {
      await ds.query(`INSERT INTO chain_heads (tenant_id, kafka_partition, chain_seq, hash, updated_at) VALUES ($1, 0, 40, $2, now())`, [backfilled, Buffer.alloc(32, 40)]);
      expect((await repository.storeOverHeads(backfilled, signTree))?.tree).toBeUndefined(); // stored before the tree: no leaf yet
      expect(await repository.storeOverHeads(backfilled, signTree)).toBeUndefined();
      expect(await repository.tenantsAheadOfCheckpoint(key.keyId)).not.toContain(backfilled);

      await setTree(25); // the backfill appended 25 of the 40 events: the heads did not move
      expect(await repository.tenantsAheadOfCheckpoint(key.keyId)).toContain(backfilled);
      expect((await repository.storeOverHeads(backfilled, signTree))?.tree?.size).toBe('25');
      expect(await repository.storeOverHeads(backfilled, signTree)).toBeUndefined();
      await setTree(40);
      expect((await repository.storeOverHeads(backfilled, signTree))?.tree?.size).toBe('40');
      expect(await repository.tenantsAheadOfCheckpoint(key.keyId)).not.toContain(backfilled);
    } finally {
      await ds.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`DELETE FROM checkpoints WHERE tenant_id = $1`, [backfilled]);
        await m.query(`DELETE FROM chain_heads WHERE tenant_id = $1`, [backfilled]);
      });
      await ds.query(`DELETE FROM tenants WHERE id = $1`, [backfilled]);
    }
  });

  it('should store nothing when the tenant has no chain yet', async () => {
    expect(await repository.storeOverHeads(tenantId, sign)).toBeUndefined();
  });

  it('should sign the heads once and skip when the latest checkpoint already signs them', async () => {
    await setHead(0, 3);
    await setHead(2, 1);

    const first = await repository.storeOverHeads(tenantId, sign);
    const again = await repository.storeOverHeads(tenantId, sign);

    expect(first?.heads.map((h) => [h.partition, h.chainSeq])).toEqual([[0, '3'], [2, '1']]);
    expect(again).toBeUndefined();
    expect(await repository.tenantsAheadOfCheckpoint(key.keyId)).not.toContain(tenantId);
    await setHead(2, 2);
    expect(await repository.tenantsAheadOfCheckpoint(key.keyId)).toContain(tenantId);
    expect(await repository.tenantsAheadOfCheckpoint('another-signer')).not.toContain(tenantId);
  });

  it('should order concurrent writers so a later createdAt never signs less when heads move between them', async () => {
    const written: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      await setHead(0, 4 + i);
      const both = await Promise.all([repository.storeOverHeads(tenantId, sign), repository.storeOverHeads(tenantId, sign), setHead(2, 2 + i)]);
      written.push(...both.slice(0, 2).filter((cp) => cp !== undefined));
    }
    // Within one millisecond, verification orders checkpoints by how far they reach; so does this query.
    const rows: { heads: CheckpointHead[] }[] = await ds.query(
      `SELECT heads FROM checkpoints WHERE tenant_id = $1
        ORDER BY created_at, (SELECT sum((e->>'chainSeq')::bigint) FROM jsonb_array_elements(heads) e)`,
      [tenantId],
    );

    expect(written.length).toBeGreaterThanOrEqual(10);
    let previous = new Map<number, bigint>();
    for (const r of rows) {
      const now = new Map(r.heads.map((h) => [h.partition, BigInt(h.chainSeq)]));
      for (const [p, seq] of previous) expect((now.get(p) ?? -1n) >= seq).toBe(true);
      previous = now;
    }
  });
});
