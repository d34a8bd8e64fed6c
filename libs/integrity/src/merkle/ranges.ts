/**
 * Which subtrees an RFC 9162 proof is made of, as leaf ranges `[lo, hi)` — no hashes, so a store
 * knows which stored nodes to read before it computes anything. Tree sizes and indexes are
 * non-negative safe integers (a tenant's log stays far below 2^53 events).
 */
export type LeafRange = readonly [lo: number, hi: number];

/** A complete subtree: `2^level` leaves starting at leaf `index * 2^level`. */
export interface PerfectNode {
  level: number;
  index: number;
}

/** The largest power of two strictly below `n` (n ≥ 2). */
export function largestPowerOfTwoBelow(n: number): number {
  if (!(n >= 2)) throw new RangeError(`largestPowerOfTwoBelow: ${n} < 2`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[0:n]): the subtrees of leaf m's inclusion proof, leaf side first. */
export function inclusionRanges(m: number, n: number): LeafRange[] {
  assertIndex(m, 'leaf index');
  assertIndex(n, 'tree size');
  if (m >= n) throw new RangeError(`leaf index ${m} is not below tree size ${n}`);
  const out: LeafRange[] = [];
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (m < lo + k) {
      out.push([lo + k, hi]);
      hi = lo + k;
    } else {
      out.push([lo, lo + k]);
      lo += k;
    }
  }
  return out.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[0:n]) for 0 < m ≤ n: the subtrees of the consistency proof. */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  assertIndex(m, 'first size');
  assertIndex(n, 'second size');
  if (m < 1 || m > n) throw new RangeError(`consistency needs 0 < first size ≤ second size (${m}, ${n})`);
  const tail: LeafRange[] = [];
  let lo = 0;
  let hi = n;
  let rel = m;
  let complete = true;
  for (;;) {
    const size = hi - lo;
    if (rel === size) {
      const head: LeafRange[] = complete ? [] : [[lo, hi]];
      return [...head, ...tail.reverse()];
    }
    const k = largestPowerOfTwoBelow(size);
    if (rel <= k) {
      tail.push([lo + k, hi]);
      hi = lo + k;
    } else {
      tail.push([lo, lo + k]);
      lo += k;
      rel -= k;
      complete = false;
    }
  }
}

/**
 * The complete subtrees a range is made of, left to right (largest first). Every range of an RFC
 * proof starts at a multiple of a power of two at least its size, so these are stored nodes.
 */
export function perfectNodes([lo, hi]: LeafRange): PerfectNode[] {
  if (!(hi > lo)) throw new RangeError(`empty range [${lo}, ${hi})`);
  const out: PerfectNode[] = [];
  let at = lo;
  for (let level = Math.floor(Math.log2(hi - lo)) + 1; level >= 0; level--) {
    const width = 2 ** level;
    if (at + width <= hi) {
      if (at % width !== 0) throw new RangeError(`range [${lo}, ${hi}) is not aligned at ${at} for 2^${level}`);
      out.push({ level, index: at / width });
      at += width;
    }
  }
  return out;
}

function assertIndex(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a non-negative safe integer (is ${v})`);
}
