import { EMPTY_ROOT, HASH_BYTES, leafHash, nodeHash } from './hashing';
import { consistencyRanges, inclusionRanges, largestPowerOfTwoBelow, perfectNodes, type LeafRange, type PerfectNode } from './ranges';

/** Reads the stored hash of a complete subtree (`2^level` leaves from `index * 2^level`). */
export type NodeReader = (node: PerfectNode) => Buffer;

/** MTH(D[lo:hi]) from stored complete subtrees: RFC 9162's split is a right fold over them. */
export function rangeHash(range: LeafRange, read: NodeReader): Buffer {
  if (range[1] === range[0]) return EMPTY_ROOT;
  const nodes = perfectNodes(range).map(read);
  let acc = nodes[nodes.length - 1];
  for (let i = nodes.length - 2; i >= 0; i--) acc = nodeHash(nodes[i], acc);
  return acc;
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
export function inclusionProof(index: number, size: number, read: NodeReader): Buffer[] {
  return inclusionRanges(index, size).map((r) => rangeHash(r, read));
}

/** The consistency proof between tree sizes `first` and `second` (RFC 9162 §2.1.4.1). */
export function consistencyProof(first: number, second: number, read: NodeReader): Buffer[] {
  return consistencyRanges(first, second).map((r) => rangeHash(r, read));
}

/** MTH over leaf data, by the RFC's recursive definition: the reference the stored layout is checked against. */
export function rootOfLeafHashes(hashes: readonly Buffer[]): Buffer {
  if (!hashes.length) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0];
  const k = largestPowerOfTwoBelow(hashes.length);
  return nodeHash(rootOfLeafHashes(hashes.slice(0, k)), rootOfLeafHashes(hashes.slice(k)));
}

/** RFC 9162 §2.1.3.2: does `proof` put the leaf with `leafData` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leafData: Buffer, proof: readonly Buffer[], root: Buffer): boolean {
  return verifyInclusionOfHash(index, size, leafHash(leafData), proof, root);
}

/** {@link verifyInclusion} given the leaf's hash instead of its data. */
export function verifyInclusionOfHash(index: number, size: number, leaf: Buffer, proof: readonly Buffer[], root: Buffer): boolean {
  if (!validSize(index) || !validSize(size) || index >= size || !isHash(leaf) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show the tree of `first` leaves with `firstRoot` is a prefix of
 * the tree of `second` leaves with `secondRoot`? Equal sizes need equal roots and an empty proof;
 * the empty tree proves nothing (first = 0 is refused, as transparency-dev/merkle does).
 */
export function verifyConsistency(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: readonly Buffer[]): boolean {
  if (!validSize(first) || !validSize(second) || first > second || !proof.every(isHash)) return false;
  if (first === 0) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (!proof.length) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

function half(v: number): number {
  return Math.floor(v / 2);
}

function isPowerOfTwo(v: number): boolean {
  return v > 0 && 2 ** Math.round(Math.log2(v)) === v;
}

function validSize(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

function isHash(b: unknown): b is Buffer {
  return Buffer.isBuffer(b) && b.length === HASH_BYTES;
}
