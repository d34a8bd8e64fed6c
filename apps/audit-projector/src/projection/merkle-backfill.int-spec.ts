import { createHash, randomUUID } from 'node:crypto';
import { verifyMerkleInclusion } from '@sigstore/verify/dist/tlog/merkle';
import { GENESIS_HASH, inclusionFromTiles, leafHash, rootOfLeafHashes, verifyInclusion, type Tile } from '@agent-ledger/integrity';
import { createLedgerDataSource, MERKLE_BACKFILL_FILL_SQL, roleUrl, runMigrations, RUNTIME_ROLES, type DataSource } from '@agent-ledger/persistence';
import { seededRandom, stackEnv } from '@agent-ledger/testing';
import type { CheckpointService } from '../checkpoints/checkpoint.service';
import { MerkleBackfill } from './merkle-backfill';
import { MerkleBackfillRepository } from './merkle-backfill.repository';
import { MerkleTreeRepository } from './merkle-tree.repository';
import { MerkleWriter, type MerkleLeafSource } from './merkle-writer';
import { ProjectionRepository } from './projection.repository';

type Sql = (sql: string, params: unknown[]) => Promise<unknown>;

interface Leaf {
  event_id: string;
  leaf_index: number;
  kafka_partition: number;
  chain_seq: number;
  hash: Buffer | null;
  row_matches: boolean | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sigstore (Rekor) RFC 6962 inclusion verifier: an implementation independent of the ledger's. */
function sigstoreAccepts(leafData: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  try {
    verifyMerkleInclusion({ canonicalizedBody: leafData, inclusionProof: { logIndex: String(index), hashes: proof } } as never, { logSize: BigInt(size), logHash: root } as never);
    return true;
  } catch {
    return false;
  }
}

describe('Merkle backfill of events stored before the tree existed (PostgreSQL, the projector role)', () => {
  const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const mine = [a, b, c];
  let owner: DataSource;
  let projector: DataSource;
  /** Each (tenant, partition) chain's last hash: rows are inserted as chain rows (hash = SHA-256(prev ‖ JSON)). */
  const chainHeads = new Map<string, Buffer>();
  /** Leaf indexes of rows that had their leaf before the backfill ran. */
  const leavesBefore = new Map<string, number>();
  const liveDuringBackfill = new Set<string>();
  const treeGrown = new Set<string>();
  let filled: { tenant_id: string; kafka_partition: number; next_seq: string; through_seq: string }[];

  const backfillOf = (ds: DataSource, writer = new MerkleWriter(new MerkleTreeRepository())) =>
    new MerkleBackfill(new ProjectionRepository(ds), new MerkleBackfillRepository(ds), writer, { recordTreeGrown: (t: string) => treeGrown.add(t) } as unknown as CheckpointService, { chunkRows: 128 });

  /** Chain rows of a tenant's partition at these positions, inserted with `sql` (no leaf). */
  async function insertRows(sql: Sql, tenantId: string, partition: number, seqs: number[]): Promise<MerkleLeafSource[]> {
    const key = `${tenantId}/${partition}`;
    let prev = chainHeads.get(key) ?? GENESIS_HASH;
    const rows = seqs.map((s) => {
      const eventId = randomUUID();
      const eventJson = JSON.stringify({ eventId, tenantId, type: 'action.executed', seq: s });
      const hash = createHash('sha256').update(prev).update(eventJson, 'utf8').digest();
      const row = { tenantId, eventId, chainSeq: BigInt(s), hash, prevHash: prev, eventJson };
      prev = hash;
      return row;
    });
    chainHeads.set(key, prev);
    await sql(
      `INSERT INTO audit_events (tenant_id, event_id, kafka_partition, kafka_offset, chain_seq, prev_hash, hash, type, occurred_at, received_at, recorded_at, event_json)
       SELECT $1, u.e, $2, u.s, u.s, u.p, u.h, 'action.executed', now(), now(), now(), u.j
         FROM unnest($3::uuid[], $4::bigint[], $5::bytea[], $6::bytea[], $7::text[]) AS u (e, s, p, h, j)`,
      [tenantId, partition, rows.map((r) => r.eventId), rows.map((r) => r.chainSeq.toString()), rows.map((r) => r.prevHash), rows.map((r) => r.hash), rows.map((r) => r.eventJson)],
    );
    return rows;
  }

  /** Rows stored without a leaf: as the projector stored them before the tree existed. */
  const storeOld = (tenantId: string, partition: number, seqs: number[]) => insertRows((s, p) => owner.query(s, p), tenantId, partition, seqs);

  /** A live batch: rows and their leaves in one transaction, as the projector stores them now. */
  const storeLive = (tenantId: string, partition: number, seqs: number[]) =>
    new ProjectionRepository(projector).transaction(async (tx) => {
      const rows = await insertRows(tx.rows, tenantId, partition, seqs);
      await new MerkleWriter(new MerkleTreeRepository()).append(tx, partition, rows);
      return rows;
    });

  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  /** Rows purged by retention after the fill (the owner, with the append-only trigger off for this transaction). */
  const purge = (tenantId: string, partition: number, from: number, to: number) =>
    owner.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`DELETE FROM audit_events WHERE tenant_id = $1 AND kafka_partition = $2 AND chain_seq BETWEEN $3 AND $4`, [tenantId, partition, from, to]);
    });

  const pendingOf = async (tenants: string[]) =>
    Number((await owner.query(`SELECT count(*)::int AS n FROM merkle_backfill WHERE tenant_id = ANY ($1::uuid[])`, [tenants]))[0].n);

  /** The tenant's leaves in leaf order, each with its stored row's hash (null when no row) and whether the row is where the leaf says. */
  const leavesOf = async (tenantId: string): Promise<Leaf[]> =>
    owner.query(
      `SELECT l.event_id::text AS event_id, l.leaf_index::int AS leaf_index, l.kafka_partition, l.chain_seq::int AS chain_seq, e.hash,
              (e.kafka_partition = l.kafka_partition AND e.chain_seq = l.chain_seq) AS row_matches
         FROM merkle_leaves l LEFT JOIN audit_events e ON e.tenant_id = l.tenant_id AND e.event_id = l.event_id
        WHERE l.tenant_id = $1 ORDER BY l.leaf_index`,
      [tenantId],
    );

  const treeOf = async (tenantId: string): Promise<{ size: number; root: Buffer } | undefined> =>
    (await owner.query(`SELECT tree_size::int AS size, root_hash AS root FROM merkle_trees WHERE tenant_id = $1`, [tenantId]))[0];

  beforeAll(async () => {
    owner = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 4 });
    await owner.initialize();
    await runMigrations(owner);
    projector = createLedgerDataSource({ url: roleUrl(stackEnv().databaseUrl, RUNTIME_ROLES.projector), poolSize: 8 });
    await projector.initialize();
    // What the migration recorded for this database's other tenants is backfilled first (as any
    // projector on it would), in chunks of the default size: the ranges below are then ours alone.
    const others = new MerkleBackfill(new ProjectionRepository(projector), new MerkleBackfillRepository(projector), new MerkleWriter(new MerkleTreeRepository()), {
      recordTreeGrown: () => undefined,
    } as unknown as CheckpointService);
    while ((await new MerkleBackfillRepository(owner).pending()).ranges > 0) if (!(await others.drain())) await sleep(100);
    for (const t of [...mine, d]) await owner.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [t, `merkle-backfill-${t}`]);

    // Before the tree: a's three chains, b's chains (100…149 already purged), c's one.
    await storeOld(a, 0, range(1, 700));
    await storeOld(a, 1, range(1, 450));
    await storeOld(a, 2, range(1, 5));
    await storeOld(b, 0, [...range(1, 99), ...range(150, 300)]);
    await storeOld(b, 3, range(1, 40));
    await storeOld(c, 5, range(1, 260));
    // After the tree: a's partition 0 goes on with leaves; b's partition 0 gets ten leaves, then rows
    // without (a projector without the tree still running): its rows without a leaf are not a prefix.
    await storeLive(a, 0, range(701, 730));
    await storeLive(a, 0, range(731, 760));
    await storeLive(b, 0, range(301, 310));
    await storeOld(b, 0, range(311, 500));
    for (const t of [a, b]) for (const l of await leavesOf(t)) leavesBefore.set(l.event_id, l.leaf_index);

    // The migration's fill, for these tenants only (other tests' tenants in this database are not ours).
    await owner.query(MERKLE_BACKFILL_FILL_SQL, [mine]);
    filled = await owner.query(
      `SELECT tenant_id::text AS tenant_id, kafka_partition, next_seq::text AS next_seq, through_seq::text AS through_seq
         FROM merkle_backfill WHERE tenant_id = ANY ($1::uuid[]) ORDER BY tenant_id, kafka_partition`,
      [mine],
    );
    await purge(b, 3, 10, 19);

    // Two projectors backfill while live batches of a and c go on (their leaves interleave).
    let done = false;
    const random = seededRandom(2430);
    const live = async (tenantId: string, partition: number, from: number) => {
      let next = from;
      while (!done) {
        const n = 1 + Math.floor(random() * 40);
        for (const r of await storeLive(tenantId, partition, range(next, next + n - 1))) liveDuringBackfill.add(r.eventId);
        next += n;
        await sleep(3);
      }
    };
    const backfill = async (instance: MerkleBackfill) => {
      while ((await pendingOf(mine)) > 0) {
        if (!(await instance.runChunk())) await sleep(20);
        await sleep(2);
      }
    };
    const lanes = [live(a, 0, 761), live(a, 1, 451), live(c, 5, 261)];
    await Promise.all([backfill(backfillOf(projector)), backfill(backfillOf(projector))]);
    done = true;
    await Promise.all(lanes);
  }, 600_000);

  afterAll(async () => {
    for (const t of [...mine, d]) await owner.query(`DELETE FROM tenants WHERE id = $1`, [t]);
    await projector?.destroy();
    await owner?.destroy();
  });

  it('should fill one range per partition from the first to the last row without a leaf', () => {
    const expected = [
      [a, 0, '1', '700'],
      [a, 1, '1', '450'],
      [a, 2, '1', '5'],
      [b, 0, '1', '500'],
      [b, 3, '1', '40'],
      [c, 5, '1', '260'],
    ].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    expect(filled.map((r) => [r.tenant_id, r.kafka_partition, r.next_seq, r.through_seq])).toEqual(expected);
  });

  it('should give every stored event exactly one leaf, at indexes 0…n-1, and no leaf to a row that is not stored', async () => {
    for (const t of mine) {
      const [{ rows }] = await owner.query(`SELECT count(*)::int AS rows FROM audit_events WHERE tenant_id = $1`, [t]);
      const leaves = await leavesOf(t);
      expect(leaves.map((l) => l.leaf_index)).toEqual(range(0, rows - 1));
      expect(new Set(leaves.map((l) => l.event_id)).size).toBe(rows);
      expect(leaves.filter((l) => l.row_matches !== true)).toEqual([]);
    }
    expect((await leavesOf(b)).filter((l) => l.kafka_partition === 3 && l.chain_seq >= 10 && l.chain_seq <= 19)).toEqual([]);
  });

  it('should keep the leaves a tree held and give backfilled events the next indexes, in chain order within a range', async () => {
    for (const t of [a, b]) {
      const leaves = await leavesOf(t);
      const kept = leaves.filter((l) => leavesBefore.has(l.event_id));
      expect(kept.map((l) => [l.event_id, l.leaf_index])).toEqual(kept.map((l) => [l.event_id, leavesBefore.get(l.event_id)]));
      expect(kept.length).toBe(t === a ? 60 : 10);
      const backfilled = leaves.filter((l) => !leavesBefore.has(l.event_id) && !liveDuringBackfill.has(l.event_id));
      expect(Math.min(...backfilled.map((l) => l.leaf_index))).toBeGreaterThanOrEqual(kept.length);
      for (const p of new Set(backfilled.map((l) => l.kafka_partition))) {
        const seqs = backfilled.filter((l) => l.kafka_partition === p).map((l) => l.chain_seq);
        expect([p, seqs]).toEqual([p, [...seqs].sort((x, y) => x - y)]);
      }
    }
  });

  it('should interleave the live batches appended meanwhile without giving an index twice', async () => {
    const leaves = await leavesOf(a);
    const backfilled = leaves.filter((l) => !leavesBefore.has(l.event_id) && !liveDuringBackfill.has(l.event_id)).map((l) => l.leaf_index);
    const live = leaves.filter((l) => liveDuringBackfill.has(l.event_id)).map((l) => l.leaf_index);
    expect(live.length).toBeGreaterThan(0);
    expect(live.some((i) => i > Math.min(...backfilled) && i < Math.max(...backfilled))).toBe(true);
    expect(new Set(leaves.map((l) => l.leaf_index)).size).toBe(leaves.length);
  });

  it('should store the root recomputed from all leaves in leaf order, and prove a backfilled event with the ledger and with sigstore', async () => {
    for (const t of mine) {
      const leaves = await leavesOf(t);
      const tree = await treeOf(t);
      expect(tree?.size).toBe(leaves.length);
      expect(tree?.root.equals(rootOfLeafHashes(leaves.map((l) => leafHash(l.hash as Buffer))))).toBe(true);
      const fetchTiles = async (keys: { level: number; index: number }[]): Promise<Tile[]> =>
        (
          await owner.query(
            `SELECT t.level, t.tile_index::int AS index, t.hashes FROM merkle_tiles t
               JOIN unnest($2::smallint[], $3::bigint[]) AS u (level, tile_index) ON t.level = u.level AND t.tile_index = u.tile_index
              WHERE t.tenant_id = $1`,
            [t, keys.map((k) => k.level), keys.map((k) => k.index)],
          )
        ).map((r: Tile) => r);
      const backfilled = leaves.filter((l) => !leavesBefore.has(l.event_id) && !liveDuringBackfill.has(l.event_id));
      for (const l of [backfilled[0], backfilled[Math.floor(backfilled.length / 2)], backfilled[backfilled.length - 1]]) {
        const { proof, root } = await inclusionFromTiles(l.leaf_index, tree!.size, fetchTiles);
        expect(root.equals(tree!.root)).toBe(true);
        const data = l.hash as Buffer;
        expect(verifyInclusion(l.leaf_index, tree!.size, data, proof, root)).toBe(true);
        expect(sigstoreAccepts(data, l.leaf_index, tree!.size, proof, root)).toBe(true);
        const modified = Buffer.from(data);
        modified[5] ^= 1;
        expect(verifyInclusion(l.leaf_index, tree!.size, modified, proof, root)).toBe(false);
        expect(sigstoreAccepts(modified, l.leaf_index, tree!.size, proof, root)).toBe(false);
      }
    }
  });

  it('should mark every backfilled tenant for a checkpoint, end with no range left and do nothing when run again', async () => {
    expect(mine.every((t) => treeGrown.has(t))).toBe(true);
    expect(await pendingOf(mine)).toBe(0);
    const before = await Promise.all(mine.map(treeOf));
    await owner.query(MERKLE_BACKFILL_FILL_SQL, [mine]);
    expect(await pendingOf(mine)).toBe(0);
    await backfillOf(projector).drain();
    expect(await Promise.all(mine.map(treeOf))).toEqual(before);
  });

  it('should leave the range and the tree as they were when a chunk fails after writing its leaves', async () => {
    await storeOld(d, 0, range(1, 50));
    await owner.query(MERKLE_BACKFILL_FILL_SQL, [[d]]);
    const failing = new MerkleWriter(new MerkleTreeRepository());
    const append = failing.append.bind(failing);
    failing.append = async (tx, partition, rows) => {
      const heads = await append(tx, partition, rows);
      if (rows.some((r) => r.tenantId === d)) throw new Error('killed after the leaves were written');
      return heads;
    };
    // Other tenants' ranges in this database may come first: the failing writer lets them through.
    const instance = backfillOf(projector, failing);
    await expect(instance.drain()).rejects.toThrow('killed after the leaves were written');
    const [rangeLeft] = await owner.query(`SELECT next_seq::int AS next_seq, through_seq::int AS through_seq FROM merkle_backfill WHERE tenant_id = $1`, [d]);
    expect(rangeLeft).toEqual({ next_seq: 1, through_seq: 50 });
    expect(await leavesOf(d)).toEqual([]);
    expect(await treeOf(d)).toBeUndefined();

    while ((await pendingOf([d])) > 0) await backfillOf(projector).drain();
    expect((await leavesOf(d)).map((l) => [l.leaf_index, l.chain_seq])).toEqual(range(1, 50).map((s) => [s - 1, s]));
  });
});
