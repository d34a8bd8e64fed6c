import { chainKey, type SignedChain } from './checkpoint-ledger';
import type { VerificationFailure } from './verification-failure';
import type { ChainAnchor } from './verify-chains';

/**
 * The purge anchors per chain (chain_seq → hash), each checked against the signed checkpoints: a
 * purge always ends at a position a checkpoint signed, so an anchor no checkpoint signed (or signed
 * with another hash) was not written by a purge.
 */
export function purgeAnchors(list: readonly ChainAnchor[], signed: Map<string, SignedChain>, fail: (f: VerificationFailure) => void): Map<string, Map<bigint, Buffer>> {
  const out = new Map<string, Map<bigint, Buffer>>();
  for (const a of list) {
    const ck = chainKey(a.tenantId, a.partition);
    const seq = BigInt(a.chainSeq);
    const hash = typeof a.hash === 'string' ? Buffer.from(a.hash, 'hex') : a.hash;
    const at = { tenantId: a.tenantId, partition: a.partition, chainSeq: seq.toString() };
    const expected = signed.get(ck)?.expectations.get(seq);
    if (!expected) {
      fail({ kind: 'purge_anchor_unsigned', ...at, reason: `a retention.purged record anchors chain_seq ${seq}, which no validly signed checkpoint signed` });
      continue;
    }
    if (expected.hash !== hash.toString('hex')) {
      fail({ kind: 'checkpoint_mismatch', ...at, checkpointId: expected.checkpointId, reason: `a retention.purged record anchors another hash at chain_seq ${seq} than checkpoint ${expected.checkpointId} signed` });
      continue;
    }
    const chain = out.get(ck) ?? new Map<bigint, Buffer>();
    chain.set(seq, hash);
    out.set(ck, chain);
  }
  return out;
}

