import type { Checkpoint } from '@agent-ledger/contracts';

/** How a checkpoint contradicts one the witness already holds for the same chain. */
export interface ChainConflict {
  /** `rollback`: a later checkpoint signs a lower position (or none) than an earlier one; `fork`: another hash for a signed position. */
  kind: 'rollback' | 'fork';
  partition: number;
  /** The position this checkpoint signs ('0' when it signs none for the partition). */
  chainSeq: string;
  hash?: string;
  /** The position and hash already held that it contradicts, and when that was signed. */
  heldChainSeq: string;
  heldHash: string;
  heldCreatedAt: string;
}

/**
 * Two checkpoints closer in time than this are not compared for rollbacks: with several projector
 * instances, one may read the heads before another yet stamp its createdAt a little after it. A
 * real rollback (a restored database signing again) comes later than that; forks are always flagged.
 */
export const ROLLBACK_CLOCK_TOLERANCE_MS = 2_000;

interface SignedPosition {
  hash: string;
  /** Earliest and latest createdAt (ms) of the held checkpoints that sign this position. */
  firstAt: number;
  lastAt: number;
  firstCreatedAt: string;
  lastCreatedAt: string;
}

/**
 * What the witness knows of one tenant: the ids of its checkpoints and every chain position
 * (partition, chainSeq → hash) they sign, with when. Detects checkpoints that contradict them.
 */
export class TenantHistory {
  readonly ids = new Set<string>();
  /** partition → chainSeq → what was signed there. */
  private readonly positions = new Map<number, Map<bigint, SignedPosition>>();
  /** partition → the highest chainSeq signed; and the latest createdAt (ms) held: the fast path of conflictsOf. */
  private readonly maxSeq = new Map<number, bigint>();
  private latestAt = -Infinity;
  private latest?: Checkpoint;

  get last(): Checkpoint | undefined {
    return this.latest;
  }

  /** Conflicts of `cp` with the positions held (empty: it is consistent with all of them). */
  conflictsOf(cp: Checkpoint): ChainConflict[] {
    const at = Date.parse(cp.createdAt);
    const conflicts: ChainConflict[] = [];
    const signed = new Map(cp.heads.map((h) => [h.partition, h]));
    for (const [partition, held] of this.positions) {
      const head = signed.get(partition);
      const seq = head ? BigInt(head.chainSeq) : 0n;
      if (at >= this.latestAt && seq >= (this.maxSeq.get(partition) ?? 0n)) {
        // The newest checkpoint, at or past every position signed: only a fork at its own position is possible.
        const p = head ? held.get(seq) : undefined;
        if (head && p && p.hash !== head.hash) {
          conflicts.push({ kind: 'fork', partition, chainSeq: head.chainSeq, hash: head.hash, heldChainSeq: head.chainSeq, heldHash: p.hash, heldCreatedAt: p.firstCreatedAt });
        }
        continue;
      }
      for (const [heldSeq, p] of held) {
        if (head && heldSeq === seq && p.hash !== head.hash) {
          conflicts.push({ kind: 'fork', partition, chainSeq: head.chainSeq, hash: head.hash, heldChainSeq: String(heldSeq), heldHash: p.hash, heldCreatedAt: p.firstCreatedAt });
        } else if (heldSeq > seq && p.firstAt < at - ROLLBACK_CLOCK_TOLERANCE_MS) {
          conflicts.push({ kind: 'rollback', partition, chainSeq: String(seq), hash: head?.hash, heldChainSeq: String(heldSeq), heldHash: p.hash, heldCreatedAt: p.firstCreatedAt });
        } else if (heldSeq < seq && p.lastAt > at + ROLLBACK_CLOCK_TOLERANCE_MS) {
          conflicts.push({ kind: 'rollback', partition, chainSeq: String(seq), hash: head?.hash, heldChainSeq: String(heldSeq), heldHash: p.hash, heldCreatedAt: p.lastCreatedAt });
        }
      }
    }
    return conflicts;
  }

  /** Records a stored checkpoint (trusted and consistent). */
  add(cp: Checkpoint): void {
    this.ids.add(cp.checkpointId);
    const at = Date.parse(cp.createdAt);
    for (const head of cp.heads) {
      let held = this.positions.get(head.partition);
      if (!held) this.positions.set(head.partition, (held = new Map()));
      const seq = BigInt(head.chainSeq);
      if (seq > (this.maxSeq.get(head.partition) ?? -1n)) this.maxSeq.set(head.partition, seq);
      const p = held.get(seq);
      if (!p) held.set(seq, { hash: head.hash, firstAt: at, lastAt: at, firstCreatedAt: cp.createdAt, lastCreatedAt: cp.createdAt });
      else {
        if (at < p.firstAt) Object.assign(p, { firstAt: at, firstCreatedAt: cp.createdAt });
        if (at > p.lastAt) Object.assign(p, { lastAt: at, lastCreatedAt: cp.createdAt });
      }
    }
    if (!this.latest || at >= this.latestAt) this.latest = cp;
    this.latestAt = Math.max(this.latestAt, at);
  }
}
