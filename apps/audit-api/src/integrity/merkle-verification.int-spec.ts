import { createHash, randomUUID } from 'node:crypto';
import { appendLeafHashes, leafHash, rootOfLeafHashes, type Tile } from '@agent-ledger/integrity';
import { createLedgerDataSource, TenantDatabase, type DataSource } from '@agent-ledger/persistence';
import { stackEnv } from '@agent-ledger/testing';
import { IntegrityRepository } from './integrity.repository';
import { verifyMerkleTree, type MerkleCheck } from './merkle-verification';

const ROWS = 600;

/**
 * The Merkle check against the real PostgreSQL: a tenant's rows, leaves, tiles, tree and signed tree
 * heads stored as the projector stores them, then tampered with as the owner (triggers off) — a tile
 * hash, the tree root, a leaf row, a checkpoint's tree root — each caught with its kind.
 */
describe('verifyMerkleTree on PostgreSQL', () => {
  let ds: DataSource;
  let repository: IntegrityRepository;
  const tenants: string[] = [];

  /** Runs statements as the owner with the append-only and only-grow triggers off. */
  async function asOwner(statements: [string, unknown[]][]): Promise<void> {
    await ds.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      for (const [sql, params] of statements) await m.query(sql, params);
    });
  }

  /** A tenant with ROWS rows of one chain, each with its leaf, and checkpoints signing the tree at 100 and at ROWS leaves. */
  async function aTenant(): Promise<{ tenantId: string; hashes: Buffer[]; checkpoints: string[] }> {
    const tenantId = randomUUID();
    tenants.push(tenantId);
    const hashes = Array.from({ length: ROWS }, (_, i) => createHash('sha256').update(`${tenantId}/${i}`).digest());
    const eventIds = hashes.map(() => randomUUID());
    const leaves = hashes.map((h) => leafHash(h));
    const { writes } = appendLeafHashes(0, [], leaves);
    const checkpoints = [randomUUID(), randomUUID()];
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `merkle-verify-${tenantId}`]);
    await ds.query(`SELECT ensure_audit_events_partition(date_trunc('month', now())::date)`);
    await ds.query(
      `INSERT INTO audit_events (tenant_id, event_id, kafka_partition, kafka_offset, chain_seq, prev_hash, hash, type, occurred_at, received_at, recorded_at, event_json)
       SELECT $1, u.id, 0, u.seq, u.seq, '\\x00', u.hash, 'signal.rate_limited', now(), now(), now() - interval '1 hour' + u.seq * interval '1 second', '{}'
         FROM unnest($2::uuid[], $3::bigint[], $4::bytea[]) AS u (id, seq, hash)`,
      [tenantId, eventIds, hashes.map((_, i) => i + 1), hashes],
    );
    await ds.query(
      `INSERT INTO merkle_leaves (tenant_id, event_id, leaf_index, kafka_partition, chain_seq) SELECT $1, u.id, u.seq - 1, 0, u.seq FROM unnest($2::uuid[], $3::bigint[]) AS u (id, seq)`,
      [tenantId, eventIds, hashes.map((_, i) => i + 1)],
    );
    await ds.query(
      `INSERT INTO merkle_tiles (tenant_id, level, tile_index, hashes) SELECT $1, u.level, u.idx, u.hashes FROM unnest($2::smallint[], $3::bigint[], $4::bytea[]) AS u (level, idx, hashes)`,
      [tenantId, writes.map((t: Tile) => t.level), writes.map((t) => t.index), writes.map((t) => t.hashes)],
    );
    await ds.query(`INSERT INTO merkle_trees (tenant_id, tree_size, root_hash, updated_at) VALUES ($1, $2, $3, now())`, [tenantId, ROWS, rootOfLeafHashes(leaves)]);
    for (const [i, size] of [100, ROWS].entries()) {
      const payload = JSON.stringify({ checkpointId: checkpoints[i], tenantId, createdAt: new Date().toISOString(), heads: [], keyId: 'k', tree: { size: String(size), rootHash: rootOfLeafHashes(leaves.slice(0, size)).toString('hex') } });
      await ds.query(`INSERT INTO checkpoints (id, tenant_id, created_at, heads, key_id, signature, payload, tree_size) VALUES ($1, $2, now() - interval '30 minutes' + $4::int * interval '1 minute', '[]', 'k', 'c2ln', $3, $5)`, [
        checkpoints[i],
        tenantId,
        payload,
        i,
        size,
      ]);
    }
    return { tenantId, hashes, checkpoints };
  }

  const verify = (tenantId: string, w: { from?: Date; to?: Date } = {}): Promise<MerkleCheck> => repository.inSnapshot(tenantId, (_chains, tree) => verifyMerkleTree(tree, w));
  const kinds = (check: MerkleCheck): string[] => [...new Set(check.failures.map((f) => f.kind))].sort();

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    repository = new IntegrityRepository(new TenantDatabase(ds));
  });

  afterAll(async () => {
    await asOwner([
      [`DELETE FROM audit_events WHERE tenant_id = ANY ($1::uuid[])`, [tenants]],
      [`DELETE FROM checkpoints WHERE tenant_id = ANY ($1::uuid[])`, [tenants]],
    ]);
    await ds.query(`DELETE FROM merkle_leaves WHERE tenant_id = ANY ($1::uuid[])`, [tenants]); // no foreign key to tenants
    await ds.query(`DELETE FROM tenants WHERE id = ANY ($1::uuid[])`, [tenants]); // the tree and its tiles go with their tenant
    await ds.destroy();
  });

  it('should check every row, the tiles and both tree heads without a failure when nothing was changed', async () => {
    const { tenantId } = await aTenant();
    expect(await verify(tenantId)).toEqual({ summary: { treeSize: ROWS, leavesChecked: ROWS, treeHeadsChecked: 2 }, failures: [], unverifiedReasons: [] });
  });

  it('should name the leaf, the root and the later tree head when a leaf hash in a level-0 tile was changed', async () => {
    const { tenantId, checkpoints } = await aTenant();
    await asOwner([[`UPDATE merkle_tiles SET hashes = set_byte(hashes, 44 * 32, get_byte(hashes, 44 * 32) # 255) WHERE tenant_id = $1 AND level = 0 AND tile_index = 1`, [tenantId]]]);

    const check = await verify(tenantId);

    expect(kinds(check)).toEqual(['merkle_leaf_mismatch', 'merkle_root_mismatch', 'merkle_tile_mismatch', 'tree_head_root_mismatch']);
    expect(check.failures).toContainEqual(expect.objectContaining({ kind: 'merkle_leaf_mismatch', leafIndex: 300, chainSeq: '301' }));
    expect(check.failures).toContainEqual(expect.objectContaining({ kind: 'merkle_tile_mismatch', leafIndex: 256, reason: expect.stringContaining('tile 1/0 hash 1') }));
    expect(check.failures).toContainEqual(expect.objectContaining({ kind: 'merkle_root_mismatch', treeSize: ROWS }));
    // The head at 100 leaves does not cover leaf 300: only the later one fails.
    expect(check.failures.filter((f) => f.kind === 'tree_head_root_mismatch')).toEqual([expect.objectContaining({ checkpointId: checkpoints[1], treeSize: ROWS })]);
  });

  it('should name the subtree when a tile above level 0 was changed', async () => {
    const { tenantId } = await aTenant();
    await asOwner([[`UPDATE merkle_tiles SET hashes = set_byte(hashes, 0, get_byte(hashes, 0) # 1) WHERE tenant_id = $1 AND level = 1 AND tile_index = 0`, [tenantId]]]);

    const check = await verify(tenantId);

    expect(check.failures).toEqual([expect.objectContaining({ kind: 'merkle_tile_mismatch', leafIndex: 0, treeSize: ROWS, reason: 'tile 1/0 hash 0 differs from the subtree recomputed from leaves 0..255' })]);
  });

  it('should report merkle_root_mismatch when the stored tree root was changed', async () => {
    const { tenantId } = await aTenant();
    await ds.query(`UPDATE merkle_trees SET root_hash = $2 WHERE tenant_id = $1`, [tenantId, Buffer.alloc(32, 1)]);

    expect((await verify(tenantId)).failures).toEqual([expect.objectContaining({ kind: 'merkle_root_mismatch', treeSize: ROWS })]);
  });

  it('should name both rows when two leaf rows were swapped, and count a deleted leaf row as not in the tree yet', async () => {
    const { tenantId } = await aTenant();
    await asOwner([
      [`UPDATE merkle_leaves SET leaf_index = CASE leaf_index WHEN 10 THEN 11 ELSE 10 END WHERE tenant_id = $1 AND leaf_index IN (10, 11)`, [tenantId]],
      [`DELETE FROM merkle_leaves WHERE tenant_id = $1 AND leaf_index = 20`, [tenantId]],
    ]);

    const check = await verify(tenantId);

    expect(check.failures.map((f) => [f.kind, f.leafIndex, f.chainSeq])).toEqual([
      ['merkle_leaf_mismatch', 11, '11'],
      ['merkle_leaf_mismatch', 10, '12'],
    ]);
    expect(check.unverifiedReasons).toEqual(['1 events are not in the Merkle tree yet']);
    expect(check.summary.leavesChecked).toBe(ROWS - 1);
  });

  it("should report tree_head_root_mismatch naming the checkpoint when a checkpoint's tree root was changed", async () => {
    const { tenantId, checkpoints } = await aTenant();
    await asOwner([[`UPDATE checkpoints SET payload = regexp_replace(payload, '"rootHash":"[0-9a-f]{64}"', '"rootHash":"${'0'.repeat(64)}"') WHERE id = $1`, [checkpoints[0]]]]);

    expect((await verify(tenantId)).failures).toEqual([expect.objectContaining({ kind: 'tree_head_root_mismatch', checkpointId: checkpoints[0], treeSize: 100 })]);
  });

  it('should keep the leaves of purged rows in the recomputation and compare only the rows present', async () => {
    const { tenantId } = await aTenant();
    await asOwner([[`DELETE FROM audit_events WHERE tenant_id = $1 AND chain_seq <= 250`, [tenantId]]]);

    expect(await verify(tenantId)).toEqual({ summary: { treeSize: ROWS, leavesChecked: ROWS - 250, treeHeadsChecked: 2 }, failures: [], unverifiedReasons: [] });
  });

  it('should compare only the rows and the tree heads of the window when one is given', async () => {
    const { tenantId } = await aTenant();
    const [row] = await ds.query(`SELECT recorded_at AS at FROM audit_events WHERE tenant_id = $1 AND chain_seq = 401`, [tenantId]);
    const [newest] = await ds.query(`SELECT created_at AS at FROM checkpoints WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 1`, [tenantId]);

    // Rows 401…600 (recorded an hour ago); the checkpoint at 100 leaves, not the newest one (`to` is exclusive).
    const check = await verify(tenantId, { from: row.at, to: newest.at });

    expect(check).toEqual({ summary: { treeSize: ROWS, leavesChecked: 200, treeHeadsChecked: 1 }, failures: [], unverifiedReasons: [] });
  });
});
