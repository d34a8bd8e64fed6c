import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyMerkleInclusion } from '@sigstore/verify/dist/tlog/merkle';
import { canonicalJson } from '@agent-ledger/contracts';
import {
  consistencyFromTiles,
  GENESIS_HASH,
  signCheckpoint,
  signingKeyId,
  inclusionFromTiles,
  leafHash,
  rootOfLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type Tile,
  type TileFetcher,
} from '@agent-ledger/integrity';
import { createLedgerDataSource, runMigrations, type DataSource } from '@agent-ledger/persistence';
import { seededRandom, stackEnv } from '@agent-ledger/testing';
import { runCliAgainst } from '../../apps/cli/src/cli.fixtures';
import { BUNDLE_FORMAT, type InclusionBundle } from '../../apps/cli/src/commands/verify-bundle.command';
import { MerkleTreeRepository } from '../../apps/audit-projector/src/projection/merkle-tree.repository';
import { MerkleWriter, type MerkleLeafSource } from '../../apps/audit-projector/src/projection/merkle-writer';
import { ProjectionRepository } from '../../apps/audit-projector/src/projection/projection.repository';

const EVENTS = 100_000;

/** The sigstore (Rekor) RFC 6962 inclusion verifier: an implementation independent of the ledger's. */
function sigstoreAccepts(leafData: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  try {
    verifyMerkleInclusion({ canonicalizedBody: leafData, inclusionProof: { logIndex: String(index), hashes: proof } } as never, { logSize: BigInt(size), logHash: root } as never);
    return true;
  } catch {
    return false;
  }
}

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
    await ds.query(`DELETE FROM tenants WHERE id = $1`, [tenantId]);
    await ds.destroy();
  });

  it('gives every event one leaf, contiguous, and a root equal to the root recomputed from all leaves', () => {
    expect(size).toBe(EVENTS);
    expect(new Set(leafData.map((d) => d.toString('hex'))).size).toBe(EVENTS);
  });

  it('serves inclusion proofs that verify with the ledger and with sigstore, and reject a modified event or a wrong tree size', async () => {
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

      const modified = Buffer.from(leafData[index]);
      modified[0] ^= 1;
      expect(verifyInclusion(index, treeSize, modified, proof, root)).toBe(false);
      expect(sigstoreAccepts(modified, index, treeSize, proof, root)).toBe(false);
      if (treeSize < EVENTS) {
        const other = rootOfLeafHashes(leafHashes.slice(0, treeSize + 1));
        expect(verifyInclusion(index, treeSize + 1, leafData[index], proof, other)).toBe(false);
        expect(sigstoreAccepts(leafData[index], index, treeSize + 1, proof, other)).toBe(false);
      }
    }
  }, 120_000);

  it('serves consistency proofs that check against roots recomputed from all leaves, and reject a forked log', async () => {
    const random = seededRandom(11);
    const pairs: [number, number][] = [
      [1, EVENTS],
      [256, 257],
      [65_536, EVENTS],
      [EVENTS, EVENTS],
    ];
    while (pairs.length < 16) {
      const a = 1 + Math.floor(random() * EVENTS);
      const b = 1 + Math.floor(random() * EVENTS);
      pairs.push([Math.min(a, b), Math.max(a, b)]);
    }
    for (const [first, second] of pairs) {
      const { proof, firstRoot, secondRoot } = await consistencyFromTiles(first, second, fetchTiles);
      const refFirst = rootOfLeafHashes(leafHashes.slice(0, first));
      const refSecond = rootOfLeafHashes(leafHashes.slice(0, second));
      expect([firstRoot.equals(refFirst), secondRoot.equals(refSecond)]).toEqual([true, true]);
      expect(verifyConsistency(first, second, refFirst, refSecond, proof)).toBe(true);
      // A fork: one leaf before `first` replaced; its root cannot be shown a prefix of the real log.
      const forked = [...leafHashes.slice(0, first)];
      forked[Math.floor(random() * first)] = leafHash(Buffer.from('forked'));
      expect(verifyConsistency(first, second, rootOfLeafHashes(forked), refSecond, proof)).toBe(false);
    }
  }, 120_000);

  it("writes bundles the CLI's verify-bundle accepts offline, and rejects once modified", async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key = { privateKey, publicKey, keyId: signingKeyId(publicKey) };
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const dir = mkdtempSync(join(tmpdir(), 'merkle-bundles-'));
    const [tree] = await ds.query(`SELECT encode(root_hash, 'hex') AS root FROM merkle_trees WHERE tenant_id = $1`, [tenantId]);
    const treeHead = signCheckpoint({ checkpointId: randomUUID(), tenantId, createdAt: new Date().toISOString(), heads: [], tree: { size: String(EVENTS), rootHash: tree.root } }, key);
    for (const index of [0, 31_337, 65_536, EVENTS - 1]) {
      const eventId = eventIdsInOrder[index];
      const row = stored.get(eventId)!;
      const { proof } = await inclusionFromTiles(index, EVENTS, fetchTiles);
      const bundle: InclusionBundle = {
        format: BUNDLE_FORMAT,
        event: { eventId, partition: row.partition, chainSeq: String(row.chainSeq), prevHash: row.prevHash.toString('hex'), hash: row.hash.toString('hex'), eventJson: row.eventJson },
        proof: { leafIndex: index, treeSize: EVENTS, hashes: proof.map((h) => h.toString('hex')) },
        treeHead,
        publicKey: spki,
      };
      const file = join(dir, `${index}.json`);
      writeFileSync(file, JSON.stringify(bundle));
      const ok = await runCliAgainst(['verify-bundle', file, '--public-key', spki], () => new Response('offline', { status: 599 }));
      expect([index, ok.code, ok.requests.length]).toEqual([index, 0, 0]);
      writeFileSync(file, JSON.stringify({ ...bundle, event: { ...bundle.event, eventJson: bundle.event.eventJson.replace('action.executed', 'action.failed') } }));
      expect((await runCliAgainst(['verify-bundle', file, '--public-key', spki], () => new Response('offline', { status: 599 }))).code).toBe(1);
    }
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
