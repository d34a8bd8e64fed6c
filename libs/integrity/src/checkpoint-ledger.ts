import type { KeyObject } from 'node:crypto';
import type { Checkpoint } from '@agent-ledger/contracts';
import { keyValidAt, signingKeyId, verifyCheckpointSignature, type TrustedKey } from './signing';
import type { VerificationFailure } from './verification-failure';

/** What a validly signed checkpoint says about one chain position. */
export interface Expectation {
  hash: string;
  checkpointId: string;
  createdAt: string;
}

/** A validly signed checkpoint, as kept until the checkpoints are compared. */
interface SignedCheckpoint {
  tenantId: string;
  checkpointId: string;
  createdAt: string;
  createdMs: number;
  heads: { partition: number; seq: bigint; hash: string }[];
}

/** Per chain: the signed positions and the furthest one. */
export interface SignedChain {
  expectations: Map<bigint, Expectation>;
  furthest: bigint;
  furthestBy: Expectation;
}

export const chainKey = (tenantId: string, partition: number) => `${tenantId}/${partition}`;

/** Trusted keys from bare public keys (valid at any time) or parsed {@link TrustedKey}s. */
export function toTrustedKeys(keys: KeyObject | readonly (KeyObject | TrustedKey)[]): TrustedKey[] {
  const list = Array.isArray(keys) ? (keys as readonly (KeyObject | TrustedKey)[]) : [keys as KeyObject];
  return list.map((k) => ('publicKey' in k && 'keyId' in k ? k : { keyId: signingKeyId(k as KeyObject), publicKey: k as KeyObject }));
}

/**
 * The validly signed checkpoints of a verification: each is checked for a trusted key, a validity
 * window containing its createdAt and a good signature; the valid ones become expectations per chain
 * position, and are checked against each other (over createdAt, a later checkpoint never signs a
 * lower chain_seq of a chain, nor drops a chain, nor a different hash at a signed position).
 */
export class CheckpointLedger {
  checked = 0;
  newest?: Checkpoint;
  private readonly keys = new Map<string, TrustedKey[]>();
  private readonly signed: SignedCheckpoint[] = [];

  constructor(
    keys: readonly TrustedKey[],
    private readonly fail: (f: VerificationFailure) => void,
  ) {
    for (const k of keys) this.keys.set(k.keyId, [...(this.keys.get(k.keyId) ?? []), k]);
  }

  add(cp: Checkpoint): void {
    this.checked += 1;
    const at = { tenantId: cp.tenantId, checkpointId: cp.checkpointId };
    const candidates = this.keys.get(cp.keyId);
    if (!candidates) {
      this.fail({ kind: 'unknown_checkpoint_key', ...at, reason: `checkpoint is signed with key ${cp.keyId}, which is not among the trusted public keys` });
      return;
    }
    if (!verifyCheckpointSignature(cp, candidates[0].publicKey)) {
      this.fail({ kind: 'bad_checkpoint_signature', ...at, reason: `checkpoint signature does not verify with key ${cp.keyId}` });
      return;
    }
    if (!candidates.some((k) => keyValidAt(k, cp.createdAt))) {
      this.fail({ kind: 'key_outside_validity', ...at, reason: `checkpoint created at ${cp.createdAt} is signed with key ${cp.keyId}, which is not valid at that time` });
      return;
    }
    const createdMs = Date.parse(cp.createdAt);
    if (!this.newest || createdMs > Date.parse(this.newest.createdAt)) this.newest = cp;
    const heads = cp.heads.map((h) => ({ partition: h.partition, seq: BigInt(h.chainSeq), hash: h.hash }));
    this.signed.push({ tenantId: cp.tenantId, checkpointId: cp.checkpointId, createdAt: cp.createdAt, createdMs, heads });
  }

  /**
   * Checks the checkpoints against each other, in createdAt order, and returns per chain the signed
   * positions and the furthest signed chain_seq.
   */
  settle(): Map<string, SignedChain> {
    const out = new Map<string, SignedChain>();
    const chainsOf = new Map<string, Map<number, Expectation>>(); // tenant → chains signed so far
    // Checkpoints of a tenant are written one at a time (heads read, then createdAt), so within one
    // millisecond the later one signs at least as much: ties are ordered by how far they reach.
    const reach = (cp: SignedCheckpoint) => cp.heads.reduce((sum, h) => sum + h.seq, 0n);
    const ordered = [...this.signed].sort((a, b) => a.createdMs - b.createdMs || Number(reach(a) - reach(b)));
    for (const cp of ordered) {
      const by: Expectation = { hash: '', checkpointId: cp.checkpointId, createdAt: cp.createdAt };
      const known = chainsOf.get(cp.tenantId) ?? new Map<number, Expectation>();
      chainsOf.set(cp.tenantId, known);
      for (const [partition, earlier] of known) {
        if (cp.heads.some((h) => h.partition === partition)) continue;
        this.fail({
          kind: 'checkpoint_regression',
          tenantId: cp.tenantId,
          partition,
          checkpointId: cp.checkpointId,
          reason: `checkpoint ${cp.checkpointId} (${cp.createdAt}) leaves out partition ${partition}, which ${earlier.checkpointId} (${earlier.createdAt}) signed`,
        });
      }
      for (const h of cp.heads) {
        const ck = chainKey(cp.tenantId, h.partition);
        const at = { tenantId: cp.tenantId, partition: h.partition, chainSeq: h.seq.toString(), checkpointId: cp.checkpointId };
        const head: Expectation = { ...by, hash: h.hash };
        let chain = out.get(ck);
        if (!chain) out.set(ck, (chain = { expectations: new Map(), furthest: h.seq, furthestBy: head }));
        const existing = chain.expectations.get(h.seq);
        if (existing && existing.hash !== h.hash) {
          this.fail({ kind: 'checkpoint_conflict', ...at, reason: `checkpoints ${existing.checkpointId} and ${cp.checkpointId} sign different hashes for the same chain position` });
        } else if (h.seq < chain.furthest) {
          this.fail({
            kind: 'checkpoint_regression',
            ...at,
            reason: `checkpoint ${cp.checkpointId} (${cp.createdAt}) signs chain_seq ${h.seq}, lower than chain_seq ${chain.furthest} signed earlier by ${chain.furthestBy.checkpointId} (${chain.furthestBy.createdAt})`,
          });
        }
        if (!existing) chain.expectations.set(h.seq, head);
        if (h.seq > chain.furthest) Object.assign(chain, { furthest: h.seq, furthestBy: head });
        known.set(h.partition, head);
      }
    }
    return out;
  }
}
