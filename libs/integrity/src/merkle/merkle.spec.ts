import { createHash } from 'node:crypto';
import { verifyMerkleInclusion } from '@sigstore/verify/dist/tlog/merkle';
import probes from './fixtures/transparency-dev-probes.json';
import {
  appendLeafHashes,
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  rootFromTiles,
  rootOfLeafHashes,
  tileNodeReader,
  tilesReader,
  verifyConsistency,
  verifyInclusion,
  verifyInclusionOfHash,
  type NodeReader,
  type Tile,
} from './index';

const hex = (s: string) => Buffer.from(s, 'hex');
const b64 = (s: string) => Buffer.from(s, 'base64');

// RFC 6962 / RFC 9162 reference values of transparency-dev/merkle testonly/constants.go (Apache 2.0).
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Every complete subtree of a list of leaf hashes, computed the RFC's way: the reference store. */
function referenceReader(leaves: readonly Buffer[]): NodeReader {
  return ({ level, index }) => rootOfLeafHashes(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));
}

function leavesOf(n: number, seed = 'leaf'): Buffer[] {
  return Array.from({ length: n }, (_, i) => leafHash(createHash('sha256').update(`${seed}-${i}`).digest()));
}

function sigstoreAccepts(data: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  try {
    verifyMerkleInclusion({ canonicalizedBody: data, inclusionProof: { logIndex: String(index), hashes: proof } } as never, { logSize: BigInt(size), logHash: root } as never);
    return true;
  } catch {
    return false;
  }
}

describe('merkle (RFC 9162, SHA-256)', () => {
  it('computes the reference roots of the RFC 6962 test leaves for every size 0…8', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOTS[0]);
    const leaves = LEAF_INPUTS.map(leafHash);
    for (let n = 0; n <= 8; n++) expect(rootOfLeafHashes(leaves.slice(0, n)).toString('hex')).toBe(ROOTS[n]);
  });

  it('agrees with every inclusion probe of transparency-dev/merkle (valid ones pass, corrupted ones fail)', () => {
    expect(probes.inclusion.length).toBeGreaterThan(90);
    const wrong = probes.inclusion.filter((p) => {
      const ok = verifyInclusionOfHash(p.leafIdx, p.treeSize, b64(p.leafHash ?? ''), (p.proof ?? []).map(b64), b64(p.root ?? ''));
      return ok === p.wantErr;
    });
    expect(wrong.map((p) => p.file)).toEqual([]);
  });

  it('agrees with every consistency probe of transparency-dev/merkle', () => {
    expect(probes.consistency.length).toBeGreaterThan(90);
    const wrong = probes.consistency.filter((p) => {
      const ok = verifyConsistency(p.size1, p.size2, b64(p.root1 ?? ''), b64(p.root2 ?? ''), (p.proof ?? []).map(b64));
      return ok === p.wantErr;
    });
    expect(wrong.map((p) => p.file)).toEqual([]);
  });

  it('builds inclusion proofs that verify here and with sigstore, and fail for another leaf, index, size or root', () => {
    const data = Array.from({ length: 71 }, (_, i) => Buffer.from(`event-${i}`));
    const leaves = data.map(leafHash);
    const read = referenceReader(leaves);
    for (let n = 1; n < data.length; n++) {
      const root = rootOfLeafHashes(leaves.slice(0, n));
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(m, n, read);
        expect(verifyInclusion(m, n, data[m], proof, root)).toBe(true);
        expect(sigstoreAccepts(data[m], m, n, proof, root)).toBe(true);
        expect(verifyInclusion(m, n, Buffer.from(`event-${m}!`), proof, root)).toBe(false);
        expect(sigstoreAccepts(Buffer.from(`event-${m}!`), m, n, proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion((m + 1) % n, n, data[m], proof, root)).toBe(false);
        // A wrong tree size: the proof checked against the root of the tree one leaf larger.
        const larger = rootOfLeafHashes(leaves.slice(0, n + 1));
        expect(verifyInclusion(m, n + 1, data[m], proof, larger)).toBe(false);
        expect(sigstoreAccepts(data[m], m, n + 1, proof, larger)).toBe(false);
      }
    }
  });

  it('builds consistency proofs that verify for every pair of sizes, and reject a forked log', () => {
    const leaves = leavesOf(70);
    const forked = [...leaves];
    forked[20] = leafHash(Buffer.from('forked'));
    const read = referenceReader(leaves);
    for (let n = 1; n <= leaves.length; n++) {
      const second = rootOfLeafHashes(leaves.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(m, n, read);
        const first = rootOfLeafHashes(leaves.slice(0, m));
        expect(verifyConsistency(m, n, first, second, proof)).toBe(true);
        if (m > 20) expect(verifyConsistency(m, n, rootOfLeafHashes(forked.slice(0, m)), second, proof)).toBe(false);
        if (m < n) {
          expect(verifyConsistency(m, n, first, rootOfLeafHashes(forked.slice(0, n)), proof)).toBe(m > 20 ? false : n <= 20);
        }
      }
    }
  });

  it('keeps the tiles incremental: any split of the appends gives the same tiles, roots and proofs', () => {
    const leaves = leavesOf(3 * 256 + 77);
    let size = 0;
    let edge: Tile[] = [];
    const stored = new Map<string, Tile>();
    let next = 0;
    let chunk = 1;
    while (next < leaves.length) {
      const part = leaves.slice(next, next + chunk);
      const r = appendLeafHashes(size, edge, part);
      for (const w of r.writes) stored.set(`${w.level}/${w.index}`, w);
      size = r.size;
      edge = r.edge;
      next += part.length;
      chunk = (chunk * 7 + 3) % 300;
      expect(rootFromTiles(size, tilesReader(edge)).equals(rootOfLeafHashes(leaves.slice(0, size)))).toBe(true);
    }
    expect(size).toBe(leaves.length);
    const read = tileNodeReader(tilesReader([...stored.values()]));
    expect(stored.get('1/0')?.hashes.length).toBe(3 * 32);
    for (const m of [0, 255, 256, 700, size - 1]) {
      for (const n of [m + 1, 512, size]) {
        if (n <= m) continue;
        expect(verifyInclusionOfHash(m, n, leaves[m], inclusionProof(m, n, read), rootOfLeafHashes(leaves.slice(0, n)))).toBe(true);
        expect(verifyConsistency(m + 1, n, rootOfLeafHashes(leaves.slice(0, m + 1)), rootOfLeafHashes(leaves.slice(0, n)), consistencyProof(m + 1, n, read))).toBe(true);
      }
    }
  });

  it('refuses a leaf hash of the wrong length and a tree grown past a partial tile', () => {
    expect(() => appendLeafHashes(0, [], [Buffer.alloc(31)])).toThrow(/32 bytes/);
    expect(() => appendLeafHashes(300, [{ level: 0, index: 0, hashes: Buffer.alloc(32) }], [Buffer.alloc(32)])).toThrow();
  });
});
