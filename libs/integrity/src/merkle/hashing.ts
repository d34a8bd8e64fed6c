import { createHash } from 'node:crypto';

/** RFC 9162 §2.1.1 hashing with SHA-256: leaves and interior nodes are domain-separated. */
export const HASH_BYTES = 32;

/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** A leaf's hash: SHA-256(0x00 ‖ leaf data). */
export function leafHash(data: Buffer): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** An interior node's hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);
