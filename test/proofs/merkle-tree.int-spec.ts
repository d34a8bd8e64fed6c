import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, type Checkpoint } from '@agent-ledger/contracts';
import {
  consistencyFromTiles,
  GENESIS_HASH,
  signCheckpoint,
  inclusionFromTiles,
  leafHash,
  nodeHash,
  rangeHash,
  rootOfLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type Tile,
  type TileFetcher,
} from '@agent-ledger/integrity';
import { createLedgerDataSource, runMigrations, type DataSource } from '@agent-ledger/persistence';
import { seededRandom, stackEnv } from '@agent-ledger/testing';
import { runCliAgainst } from '../../apps/cli/src/cli.fixtures';
import { aSigningKey } from '../../apps/cli/src/verify/bundle.fixtures';
import { CONSISTENCY_BUNDLE_FORMAT, INCLUSION_BUNDLE_FORMAT, type ConsistencyBundle, type InclusionBundle } from '../../apps/cli/src/verify/proof-bundles';
import { MerkleTreeRepository } from '../../apps/audit-projector/src/projection/merkle-tree.repository';
import { MerkleWriter, type MerkleLeafSource } from '../../apps/audit-projector/src/projection/merkle-writer';
import { ProjectionRepository } from '../../apps/audit-projector/src/projection/projection.repository';
import { isPowerOfTwo, sigstoreAccepts, transmuteAcceptsConsistency, transmuteAcceptsInclusion, transmuteConsistencyProof, transmuteInclusionProof, transmuteRoot } from './consistency-verifiers';

const EVENTS = 100_000;

describe('per-tenant Merkle tree maintained by the projector (PostgreSQL, 100,000 events)', () => {
  const tenantId = randomUUID();
  const writer = new MerkleWriter(new MerkleTreeRepository());
  let ds: DataSource;
  /** leaf data (the rows' stored hashes) in leaf order, read back from merkle_leaves. */
  let leafData: Buffer[];
  /** Each event as a chain row holds it: prev_hash, canonical JSON, hash = SHA-256(prev ‖ JSON). */
  const stored = new Map<string, { prevHash: Buffer; eventJson: string; hash: Buffer; partition: number; chainSeq: bigint }>();
  let eventIdsInOrder: string[];
  let leafHashes: Buffer[];
  let size: number;

  const fetchTiles: TileFetcher = async (keys) => {
    const rows: { level: number; tile_index: string; hashes: Buffer }[] = await ds.query(
      `SELECT t.level, t.tile_index::text AS tile_index, t.hashes FROM merkle_tiles t
         JOIN unnest($2::smallint[], $3::bigint[]) AS u (level, tile_index) ON t.level = u.level AND t.tile_index = u.tile_index
        WHERE t.tenant_id = $1`,
      [tenantId, keys.map((k) => k.level), keys.map((k) => k.index)],
    );
    return rows.map((r): Tile => ({ level: r.level, index: Number(r.tile_index), hashes: r.hashes }));
  };

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 8 });
    await ds.initialize();
    await runMigrations(ds);
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `merkle-int-${tenantId}`]);

    // Four "partitions" append concurrently, in batches of 1…600 rows: the per-tenant row lock orders them.
    const random = seededRandom(21);
    const lanes = [0, 1, 2, 3].map(async (partition) => {
      let seq = 0n;
      let prevHash = GENESIS_HASH;
      for (let left = EVENTS / 4; left > 0; ) {
        const n = Math.min(left, 1 + Math.floor(random() * 600));
        const rows: MerkleLeafSource[] = Array.from({ length: n }, () => {
          const eventId = randomUUID();
          const eventJson = canonicalJson({ eventId, tenantId, type: 'action.executed', subject: { id: `subject-${eventId.slice(0, 4)}` } });
          const hash = createHash('sha256').update(prevHash).update(eventJson, 'utf8').digest();
          seq += 1n;
          stored.set(eventId, { prevHash, eventJson, hash, partition, chainSeq: seq });
          prevHash = hash;
          return { tenantId, eventId, chainSeq: seq, hash };
        });
        await new ProjectionRepository(ds).transaction((tx) => writer.append(tx, partition, rows));
        left -= n;
      }
    });
    await Promise.all(lanes);
    const leaves: { event_id: string; leaf_index: string }[] = await ds.query(`SELECT event_id::text AS event_id, leaf_index::text AS leaf_index FROM merkle_leaves WHERE tenant_id = $1 ORDER BY merkle_leaves.leaf_index`, [tenantId]);
    expect(leaves.map((l) => Number(l.leaf_index))).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
    eventIdsInOrder = leaves.map((l) => l.event_id);
    leafData = leaves.map((l) => stored.get(l.event_id)!.hash);
    leafHashes = leafData.map(leafHash);
    const [tree] = await ds.query(`SELECT tree_size::int AS size, root_hash AS root FROM merkle_trees WHERE tenant_id = $1`, [tenantId]);
    size = tree.size;
    expect(tree.root.equals(rootOfLeafHashes(leafHashes))).toBe(true);
  }, 300_000);

  afterAll(async () => {
    // Leaves have no foreign key to tenants (migration 1732300002450): they are removed first.
    await ds.query(`DELETE FROM merkle_leaves WHERE tenant_id = $1`, [tenantId]);
    await ds.query(`DELETE FROM tenants WHERE id = $1`, [tenantId]);
    await ds.destroy();
  });

  it('gives every event one leaf, contiguous, and a root equal to the root recomputed from all leaves', () => {
    expect(size).toBe(EVENTS);
    expect(new Set(leafData.map((d) => d.toString('hex'))).size).toBe(EVENTS);
  });

  it('serves inclusion proofs that verify with the ledger, sigstore and @transmute/rfc9162, and reject a modified event or a wrong tree size', async () => {
    const random = seededRandom(7);
    const sizes = [1, 255, 256, 257, 65_536, 65_537, EVENTS - 1, EVENTS];
    for (let k = 0; k < 40; k++) {
      const treeSize = k < sizes.length ? sizes[k] : 1 + Math.floor(random() * EVENTS);
      const index = k === 0 ? 0 : Math.floor(random() * treeSize);
      const { proof, root, leaf } = await inclusionFromTiles(index, treeSize, fetchTiles);
      expect(leaf.equals(leafHashes[index])).toBe(true);
      expect(root.equals(rootOfLeafHashes(leafHashes.slice(0, treeSize)))).toBe(true);
      expect(verifyInclusion(index, treeSize, leafData[index], proof, root)).toBe(true);
      expect(sigstoreAccepts(leafData[index], index, treeSize, proof, root)).toBe(true);
      expect(await transmuteAcceptsInclusion(leafData[index], index, treeSize, proof, root)).toBe(true);

      const modified = Buffer.from(leafData[index]);
      modified[0] ^= 1;
      expect(verifyInclusion(index, treeSize, modified, proof, root)).toBe(false);
      expect(sigstoreAccepts(modified, index, treeSize, proof, root)).toBe(false);
      expect(await transmuteAcceptsInclusion(modified, index, treeSize, proof, root)).toBe(false);
      if (treeSize < EVENTS) {
        const other = rootOfLeafHashes(leafHashes.slice(0, treeSize + 1));
        expect(verifyInclusion(index, treeSize + 1, leafData[index], proof, other)).toBe(false);
        expect(sigstoreAccepts(leafData[index], index, treeSize + 1, proof, other)).toBe(false);
        expect(await transmuteAcceptsInclusion(leafData[index], index, treeSize + 1, proof, other)).toBe(false);
      }
    }
  }, 120_000);

  it('serves consistency proofs that verify with the ledger and with @transmute/rfc9162, and reject a modified proof, wrong sizes or a forked log', async () => {
    const random = seededRandom(11);
    const pairs: [number, number][] = [
      [1, EVENTS],
      [1, 2],
      [256, 257],
      [65_536, EVENTS],
      [31_337, 77_777],
      [EVENTS - 1, EVENTS],
      [EVENTS, EVENTS],
    ];
    while (pairs.length < 20) {
      const a = 1 + Math.floor(random() * EVENTS);
      const b = 1 + Math.floor(random() * EVENTS);
      pairs.push([Math.min(a, b), Math.max(a, b)]);
    }
    // Roots of any prefix, and of a fork (leaf `at` replaced), from all leaves hashed level by level once.
    const levels = [leafHashes];
    while (levels[levels.length - 1].length > 1) {
      const below = levels[levels.length - 1];
      levels.push(Array.from({ length: Math.floor(below.length / 2) }, (_, i) => nodeHash(below[2 * i], below[2 * i + 1])));
    }
    const other = leafHash(Buffer.from('another history'));
    const node = (level: number, index: number, at: number): Buffer => {
      if (Math.floor(at / 2 ** level) !== index) return levels[level][index];
      return level === 0 ? other : nodeHash(node(level - 1, 2 * index, at), node(level - 1, 2 * index + 1, at));
    };
    const root = (n: number) => rangeHash([0, n], ({ level, index }) => node(level, index, -1));
    const forkedRoot = (n: number, at: number) => rangeHash([0, n], ({ level, index }) => node(level, index, at));
    for (const [first, second] of pairs) {
      const { proof, firstRoot, secondRoot } = await consistencyFromTiles(first, second, fetchTiles);
      const [refFirst, refSecond] = [root(first), root(second)];
      expect([first, second, firstRoot.equals(refFirst), secondRoot.equals(refSecond)]).toEqual([first, second, true, true]);
      expect(verifyConsistency(first, second, firstRoot, secondRoot, proof)).toBe(true);
      // A fork: one leaf before `first` replaced; its root cannot be shown a prefix of the real log.
      const before = Math.floor(random() * first);
      expect(verifyConsistency(first, second, forkedRoot(first, before), secondRoot, proof)).toBe(false);
      if (first === second) {
        // RFC 9162 §2.1.4.2 covers 0 < first < second: equal sizes are consistent when the roots are equal.
        expect(proof).toEqual([]);
        continue;
      }
      const independent = (f: number, s: number, fr: Buffer, sr: Buffer, p: Buffer[]) => transmuteAcceptsConsistency(f, s, fr, sr, p);
      expect([first, second, await independent(first, second, firstRoot, secondRoot, proof)]).toEqual([first, second, true]);
      expect(await independent(first, second, forkedRoot(first, before), secondRoot, proof)).toBe(false);
      // A fork after `first`: the newer root is of another history.
      expect(await independent(first, second, firstRoot, forkedRoot(second, first + Math.floor(random() * (second - first))), proof)).toBe(false);
      const flipped = proof.map((h) => Buffer.from(h));
      flipped[Math.floor(random() * flipped.length)][31] ^= 1;
      expect(await independent(first, second, firstRoot, secondRoot, flipped)).toBe(false);
      expect(verifyConsistency(first, second, firstRoot, secondRoot, flipped)).toBe(false);
      // Wrong sizes: the proof presented for the heads of other sizes.
      if (second < EVENTS) expect(await independent(first, second + 1, firstRoot, root(second + 1), proof)).toBe(false);
      if (first + 1 < second) expect(await independent(first + 1, second, root(first + 1), secondRoot, proof)).toBe(false);
    }
  }, 180_000);

  it('serves the roots and proofs @transmute/rfc9162 generates from all leaves', async () => {
    // @transmute/rfc9162 tries the browser crypto API before Node's for every hash (~5 s for 100,000 leaves): a few sizes only.
    for (const n of [1, 257, 77_777, EVENTS]) expect([n, (await transmuteRoot(leafData.slice(0, n))).equals(rootOfLeafHashes(leafHashes.slice(0, n)))]).toEqual([n, true]);
    for (const [first, second] of [
      [1, 1_000],
      [65_536, EVENTS],
      [31_337, 77_777],
    ]) {
      const { proof, firstRoot } = await consistencyFromTiles(first, second, fetchTiles);
      // Its PROOF starts with MTH(D[0:first]) for a power-of-two first (see consistency-verifiers.ts).
      const expected = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
      expect([first, second, await transmuteConsistencyProof(first, leafData.slice(0, second))]).toEqual([first, second, expected]);
    }
    for (const [index, size] of [
      [0, 1_000],
      [999, 1_000],
      [65_535, 65_537],
    ]) {
      const { proof } = await inclusionFromTiles(index, size, fetchTiles);
      expect([index, size, await transmuteInclusionProof(index, leafData.slice(0, size))]).toEqual([index, size, proof]);
    }
  }, 180_000);

  describe("the CLI's offline verify-bundle", () => {
    const signer = aSigningKey();
    const dir = mkdtempSync(join(tmpdir(), 'merkle-bundles-'));
    const hex = (h: Buffer) => h.toString('hex');
    const head = (size: number, root: Buffer) => signCheckpoint({ checkpointId: randomUUID(), tenantId, createdAt: new Date().toISOString(), heads: [], tree: { size: String(size), rootHash: hex(root) } }, signer);
    const saved = (bundle: unknown) => {
      const file = join(dir, `${randomUUID()}.json`);
      writeFileSync(file, JSON.stringify(bundle));
      return file;
    };
    /** `agent-ledger verify-bundle <bundle> --public-key … [extra]` with no server to ask: its exit code. */
    const verified = async (bundle: unknown, extra: string[] = []) => {
      const r = await runCliAgainst(['verify-bundle', saved(bundle), '--public-key', signer.spki, ...extra], () => new Response('offline', { status: 599 }));
      expect(r.requests).toEqual([]);
      return r.code;
    };
    const inclusionBundle = async (index: number, treeHead: Checkpoint): Promise<InclusionBundle> => {
      const row = stored.get(eventIdsInOrder[index])!;
      const { proof } = await inclusionFromTiles(index, Number(treeHead.tree!.size), fetchTiles);
      return {
        format: INCLUSION_BUNDLE_FORMAT,
        event: { eventId: eventIdsInOrder[index], partition: row.partition, chainSeq: String(row.chainSeq), prevHash: hex(row.prevHash), hash: hex(row.hash), eventJson: row.eventJson },
        proof: { leafIndex: index, treeSize: Number(treeHead.tree!.size), hashes: proof.map(hex) },
        treeHead,
        publicKey: signer.spki,
      };
    };

    it('accepts inclusion bundles, and rejects once the event is modified', async () => {
      const [tree] = await ds.query(`SELECT root_hash AS root FROM merkle_trees WHERE tenant_id = $1`, [tenantId]);
      const treeHead = head(EVENTS, tree.root);
      for (const index of [0, 31_337, 65_536, EVENTS - 1]) {
        const bundle = await inclusionBundle(index, treeHead);
        expect([index, await verified(bundle)]).toEqual([index, 0]);
        expect(await verified({ ...bundle, event: { ...bundle.event, eventJson: bundle.event.eventJson.replace('action.executed', 'action.failed') } })).toBe(1);
      }
    });

    it('accepts consistency bundles and --previous with the older head, and rejects a modified proof, a forked older head or a mismatched --previous', async () => {
      for (const [first, second] of [
        [1, EVENTS],
        [65_536, EVENTS],
        [31_337, 77_777],
        [EVENTS, EVENTS],
      ]) {
        const { proof, firstRoot, secondRoot } = await consistencyFromTiles(first, second, fetchTiles);
        const bundle: ConsistencyBundle = { format: CONSISTENCY_BUNDLE_FORMAT, from: head(first, firstRoot), to: head(second, secondRoot), hashes: proof.map(hex), publicKey: signer.spki };
        expect([first, second, await verified(bundle)]).toEqual([first, second, 0]);
        const kept = await inclusionBundle(first - 1, head(first, firstRoot));
        expect(await verified(bundle, ['--previous', saved(kept)])).toBe(0);
        if (proof.length) expect(await verified({ ...bundle, hashes: bundle.hashes.map((h, i) => (i === proof.length - 1 ? `${h.slice(0, 63)}${h[63] === '0' ? '1' : '0'}` : h)) })).toBe(1);
        const forked = leafHashes.slice(0, first);
        forked[first >> 1] = leafHash(Buffer.from('another history'));
        const forkedHead = head(first, rootOfLeafHashes(forked));
        expect(await verified({ ...bundle, from: forkedHead })).toBe(1);
        expect(await verified(bundle, ['--previous', saved({ ...kept, treeHead: forkedHead })])).toBe(1);
      }
    });
  });

  it('never gives an event a second leaf: appending a stored event id fails and leaves the tree as it was', async () => {
    const again: MerkleLeafSource = { tenantId, eventId: eventIdsInOrder[7], chainSeq: 999_999n, hash: Buffer.alloc(32, 1) };
    await expect(new ProjectionRepository(ds).transaction((tx) => writer.append(tx, 0, [again]))).rejects.toThrow(/merkle_leaves_pkey|duplicate key/);
    const [tree] = await ds.query(`SELECT tree_size::int AS size FROM merkle_trees WHERE tenant_id = $1`, [tenantId]);
    expect(tree.size).toBe(EVENTS);
  });

  it('refuses to rewrite a stored tile (the tiles may only grow)', async () => {
    await expect(ds.query(`UPDATE merkle_tiles SET hashes = $2 WHERE tenant_id = $1 AND level = 0 AND tile_index = 0`, [tenantId, Buffer.alloc(32 * 256)])).rejects.toThrow(/only be extended/);
    await expect(ds.query(`DELETE FROM merkle_tiles WHERE tenant_id = $1`, [tenantId])).rejects.toThrow(/never deleted/);
  });
});
