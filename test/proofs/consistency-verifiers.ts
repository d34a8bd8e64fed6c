import { RFC9162 } from '@transmute/rfc9162';
import { verifyMerkleInclusion } from '@sigstore/verify/dist/tlog/merkle';

// Merkle proof implementations independent of the ledger's (libs/integrity): sigstore's RFC 6962
// inclusion verifier (written for Rekor) and @transmute/rfc9162, a transcription of RFC 9162 §2.1
// (MTH, PATH, PROOF and both verification algorithms). docs/proofs.md#tests.

const buffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** sigstore's inclusion verifier: does `proof` put `leafData` at `index` in the tree of `size` with `root`? */
export function sigstoreAccepts(leafData: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  try {
    verifyMerkleInclusion({ canonicalizedBody: leafData, inclusionProof: { logIndex: String(index), hashes: proof } } as never, { logSize: BigInt(size), logHash: root } as never);
    return true;
  } catch {
    return false;
  }
}

/** {@link sigstoreAccepts} with the proof and root as the API answers them (lowercase hex). */
export function sigstoreAcceptsHex(leafData: Buffer, index: number, size: number, hashes: string[], rootHex: string): boolean {
  return sigstoreAccepts(leafData, index, size, hashes.map((h) => Buffer.from(h, 'hex')), Buffer.from(rootHex, 'hex'));
}

/** @transmute/rfc9162's MTH(D_n) over the leaf data (it hashes the leaves itself, 0x00-prefixed). */
export async function transmuteRoot(leafData: readonly Buffer[]): Promise<Buffer> {
  return buffer(await RFC9162.MTH([...leafData]));
}

/** @transmute/rfc9162's PATH(m, D_n): the inclusion proof of leaf `index`, generated from all leaves. */
export async function transmuteInclusionProof(index: number, leafData: readonly Buffer[]): Promise<Buffer[]> {
  return (await RFC9162.PATH(index, [...leafData])).map(buffer);
}

/** @transmute/rfc9162's inclusion verifier (RFC 9162 §2.1.3.2). */
export async function transmuteAcceptsInclusion(leafData: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): Promise<boolean> {
  return RFC9162.verifyInclusionProof(root, await RFC9162.leaf(leafData), { log_id: '', tree_size: size, leaf_index: index, inclusion_path: proof });
}

/**
 * @transmute/rfc9162's PROOF(m, D_n) for 0 < m < n, generated from all leaves (RFC 9162 §2.1.4.1).
 * Its SUBPROOF ignores the RFC's flag `b`: for a power-of-two `m` its list starts with MTH(D[0:m]),
 * the hash the RFC's proof leaves out (and its verifier prepends); otherwise it is the RFC's proof.
 */
export async function transmuteConsistencyProof(m: number, leafData: readonly Buffer[]): Promise<Buffer[]> {
  return (await RFC9162.PROOF(m, [...leafData])).map(buffer);
}

export { isPowerOfTwo };

/**
 * @transmute/rfc9162's consistency verifier (RFC 9162 §2.1.4.2, for 0 < first < second).
 * Version 0.0.5 leaves out step 2 of the algorithm — "if first is an exact power of 2, then prepend
 * first_hash to the consistency_path array" — (the line is commented out in its source, its own PROOF
 * already carries that hash): that step is done here, on the RFC's proof, before calling it.
 */
export async function transmuteAcceptsConsistency(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: Buffer[]): Promise<boolean> {
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
  return RFC9162.verifyConsistencyProof(firstRoot, secondRoot, { log_id: '', tree_size_1: first, tree_size_2: second, consistency_path: path });
}
