import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { canonicalJson, type Checkpoint } from '@agent-ledger/contracts';
import { consistencyProof, GENESIS_HASH, inclusionProof, leafHash, rootOfLeafHashes, signCheckpoint, signingKeyId, type SigningKey } from '@agent-ledger/integrity';
import { CONSISTENCY_BUNDLE_FORMAT, INCLUSION_BUNDLE_FORMAT, type ConsistencyBundle, type InclusionBundle } from './proof-bundles';

export type TestKey = SigningKey & { spki: string };

export function aSigningKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: signingKeyId(publicKey), spki: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

/**
 * A tenant's log as the server holds it, for bundle tests: `size` chained events, their Merkle tree,
 * and tree heads signed with `key` at any size; the answers of the proof endpoints.
 */
export class TestLog {
  readonly tenantId = randomUUID();
  readonly rows: InclusionBundle['event'][] = [];
  private readonly leaves: Buffer[] = [];

  constructor(
    size: number,
    readonly key: TestKey = aSigningKey(),
  ) {
    this.append(size);
  }

  get size(): number {
    return this.rows.length;
  }

  append(n: number): this {
    let prev = this.rows.length ? Buffer.from(this.rows[this.rows.length - 1].hash, 'hex') : GENESIS_HASH;
    for (let i = 0; i < n; i++) {
      const eventId = randomUUID();
      const eventJson = canonicalJson({ eventId, tenantId: this.tenantId, type: 'action.executed', payload: { note: `event ${this.rows.length}` } });
      const hash = createHash('sha256').update(prev).update(eventJson, 'utf8').digest();
      this.rows.push({ eventId, partition: 0, chainSeq: String(this.rows.length + 1), prevHash: prev.toString('hex'), hash: hash.toString('hex'), eventJson });
      this.leaves.push(leafHash(hash));
      prev = hash;
    }
    return this;
  }

  /** A copy whose leaf `index` holds another event: a fork of this log signed with the same key. */
  forkedAt(index: number): TestLog {
    const fork = Object.create(TestLog.prototype) as TestLog;
    Object.assign(fork, { tenantId: this.tenantId, key: this.key, rows: [...this.rows], leaves: [...this.leaves] });
    const other = createHash('sha256').update(`another history ${index}`).digest();
    fork.rows[index] = { ...fork.rows[index], hash: other.toString('hex') };
    fork.leaves[index] = leafHash(other);
    return fork;
  }

  root(size = this.size): Buffer {
    return rootOfLeafHashes(this.leaves.slice(0, size));
  }

  treeHead(size = this.size, createdAt = new Date(Date.UTC(2026, 11, 5, 10, 0, size % 60)).toISOString(), key: TestKey = this.key): Checkpoint {
    return signCheckpoint({ checkpointId: randomUUID(), tenantId: this.tenantId, createdAt, heads: [], tree: { size: String(size), rootHash: this.root(size).toString('hex') } }, key);
  }

  consistency(from: number, to: number): string[] {
    return consistencyProof(from, to, (n) => this.node(n.level, n.index)).map((h) => h.toString('hex'));
  }

  inclusionBundle(index: number, size = this.size): InclusionBundle {
    const hashes = inclusionProof(index, size, (n) => this.node(n.level, n.index)).map((h) => h.toString('hex'));
    return { format: INCLUSION_BUNDLE_FORMAT, event: this.rows[index], proof: { leafIndex: index, treeSize: size, hashes }, treeHead: this.treeHead(size), publicKey: this.key.spki };
  }

  consistencyBundle(from: number, to: number): ConsistencyBundle {
    return { format: CONSISTENCY_BUNDLE_FORMAT, from: this.treeHead(from), to: this.treeHead(to), hashes: this.consistency(from, to), publicKey: this.key.spki };
  }

  /** A consistency bundle across a key rotation: `from` signed with this log's key, `to` with `newKey`. */
  rotatedConsistencyBundle(from: number, to: number, newKey: TestKey): ConsistencyBundle {
    return { format: CONSISTENCY_BUNDLE_FORMAT, from: this.treeHead(from), to: this.treeHead(to, undefined, newKey), hashes: this.consistency(from, to), publicKey: newKey.spki, fromPublicKey: this.key.spki };
  }

  private node(level: number, index: number): Buffer {
    return rootOfLeafHashes(this.leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));
  }
}
