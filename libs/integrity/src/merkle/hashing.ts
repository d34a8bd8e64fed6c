import { createHash, hash } from 'node:crypto';

/** RFC 9162 §2.1.1 hashing with SHA-256: leaves and interior nodes are domain-separated. */
export const HASH_BYTES = 32;

/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** A leaf's hash: SHA-256(0x00 ‖ leaf data). */
export function leafHash(data: Buffer): Buffer {
  if (data.length !== HASH_BYTES) return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
  // One-shot hashing of a reused buffer: about half the cost of a Hash object per call (the
  // projector hashes every stored row and the tiles above it).
  scratch[0] = 0x00;
  data.copy(scratch, 1);
  return hash('sha256', scratch.subarray(0, 1 + HASH_BYTES), 'buffer');
}

/** An interior node's hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  scratch[0] = 0x01;
  left.copy(scratch, 1);
  right.copy(scratch, 1 + HASH_BYTES);
  return hash('sha256', scratch, 'buffer');
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);
/** 0x00 or 0x01 ‖ up to two hashes; filled and hashed synchronously, never shared across calls. */
const scratch = Buffer.alloc(1 + 2 * HASH_BYTES);
