import type { KeyObject } from 'node:crypto';
import type { Checkpoint } from '@agent-ledger/contracts';
import { chainKey, CheckpointLedger, toTrustedKeys } from './checkpoint-ledger';
import { checkDerived } from './derived-check';
import { GENESIS_HASH, hashEvent } from './hash-chain';
import { purgeAnchors } from './purge-anchors';
import type { TrustedKey } from './signing';
import type { StoredRow } from './stored-row';
import type { VerificationFailure } from './verification-failure';

export type { VerificationFailure, VerificationFailureKind } from './verification-failure';

export interface ChainSummary {
  tenantId: string;
  partition: number;
  /** First and last chain_seq seen (decimal strings). */
  fromSeq: string;
  toSeq: string;
  /** Stored hash of the last row, lowercase hex. */
  headHash: string;
  events: number;
}

/**
 * `ok`: no failure, and every chain up to its last row is covered by a validly signed checkpoint.
 * `unverified`: no failure, but rows after the last checkpoint (or no checkpoint at all, or a
 * source of checkpoints could not be read). `failed`: at least one failure.
 */
export type VerificationStatus = 'ok' | 'unverified' | 'failed';

/** Rows of a chain that no signed checkpoint covers yet (chain_seq range, decimal strings). */
export interface UncoveredRange {
  tenantId: string;
  partition: number;
  fromSeq: string;
  toSeq: string;
  events: number;
}

export interface VerificationReport {
  /** True only when `status` is `ok`. */
  ok: boolean;
  status: VerificationStatus;
  eventsChecked: number;
  checkpointsChecked: number;
  chains: ChainSummary[];
  uncovered: UncoveredRange[];
  /** Why the answer is `unverified` (empty when ok or failed). */
  unverifiedReasons: string[];
  /** The most recent validly signed checkpoint given. */
  lastCheckpoint?: Checkpoint;
  /** Seconds between the newest valid checkpoint's createdAt and `now`; null without one. */
  newestCheckpointAge: number | null;
  /** The failure at the lowest chain position (the first bad row), else the first found. */
  firstFailure?: VerificationFailure;
  /** The first `maxFailures` failures, in the order found. */
  failures: VerificationFailure[];
}

/** Where a chain continues from when its earlier rows are not read (a window, or archived rows). */
export interface ChainAnchor {
  tenantId: string;
  partition: number;
  /** chain_seq of the last row before. */
  chainSeq: bigint | number | string;
  /** Its hash (Buffer or lowercase hex). */
  hash: Buffer | string;
}

/** A `chain_heads` row: where the projector says a chain ends. */
export interface RecordedHead {
  tenantId: string;
  partition: number;
  chainSeq: bigint | number | string;
  hash: Buffer | string;
}

export interface VerifyChainsOptions {
  anchors?: readonly ChainAnchor[];
  /**
   * The anchors of the tenants' `retention.purged` records (purgeAnchorsOf): a chain may start, or go
   * on, after a gap that ends at one of them, when its next row continues from the anchored hash.
   * Each must be a position a validly signed checkpoint signed with that hash.
   */
  purged?: readonly ChainAnchor[];
  /** The `chain_heads` rows of the verified tenants: each must equal its chain's last row. */
  heads?: readonly RecordedHead[];
  /**
   * Checkpoints from an external, append-only log (the witness). Merged with `checkpoints` by
   * checkpointId; one the log holds and `checkpoints` does not is a `checkpoint_missing` failure,
   * and it still binds the rows.
   */
  external?: { name: string; checkpoints: Iterable<Checkpoint> | AsyncIterable<Checkpoint> };
  /** Reasons the answer cannot be `ok` whatever the rows say (e.g. the external log was unreachable). */
  unverifiedReasons?: readonly string[];
  /** How many failures to collect (default 100); verification always reads every row. */
  maxFailures?: number;
  /** The time checkpoint age is measured at (default: now). */
  now?: Date;
}

interface ChainState {
  tenantId: string;
  partition: number;
  fromSeq?: bigint;
  lastSeq: bigint;
  lastHash: Buffer;
  events: number;
}

const toBig = (v: bigint | number | string): bigint => (typeof v === 'bigint' ? v : BigInt(v));
const toBuf = (v: Buffer | string): Buffer => (typeof v === 'string' ? Buffer.from(v, 'hex') : v);
const splitKey = (ck: string): [string, number] => [ck.slice(0, ck.lastIndexOf('/')), Number(ck.slice(ck.lastIndexOf('/') + 1))];

/** Orders failures by position: tenant, partition, chain_seq; those without a position last. */
function before(a: VerificationFailure, b: VerificationFailure): boolean {
  if (a.chainSeq === undefined || a.partition === undefined) return false;
  if (b.chainSeq === undefined || b.partition === undefined) return true;
  if ((a.tenantId ?? '') !== (b.tenantId ?? '')) return (a.tenantId ?? '') < (b.tenantId ?? '');
  if (a.partition !== b.partition) return a.partition < b.partition;
  return BigInt(a.chainSeq) < BigInt(b.chainSeq);
}

/**
 * Recomputes hash chains from stored rows and checks them against signed checkpoints, the chain
 * heads and an external checkpoint log, and answers whether every row is covered by a checkpoint.
 *
 * `rows` must deliver each chain (tenant, partition) in ascending chain_seq order; chains may be
 * interleaved. Memory grows with the number of chains and checkpoints, never with the number of
 * rows. Pass all checkpoints of the same tenants as the rows: a chain that a checkpoint covers but
 * the rows do not reach is reported as truncated. `publicKeys` are bare keys (valid at any time) or
 * {@link TrustedKey}s with validity windows (parseTrustedKeys).
 */
export async function verifyChains(
  rows: AsyncIterable<StoredRow> | Iterable<StoredRow>,
  checkpoints: Iterable<Checkpoint> | AsyncIterable<Checkpoint>,
  publicKeys: KeyObject | readonly (KeyObject | TrustedKey)[],
  options: VerifyChainsOptions = {},
): Promise<VerificationReport> {
  const maxFailures = options.maxFailures ?? 100;
  const failures: VerificationFailure[] = [];
  let firstFailure: VerificationFailure | undefined;
  const fail = (f: VerificationFailure) => {
    if (!firstFailure || before(f, firstFailure)) firstFailure = f;
    if (failures.length < maxFailures) failures.push(f);
  };

  const anchors = new Map<string, { seq: bigint; hash: Buffer }>();
  for (const a of options.anchors ?? []) anchors.set(chainKey(a.tenantId, a.partition), { seq: toBig(a.chainSeq), hash: toBuf(a.hash) });

  // Checkpoints: the database's, then those of the external log the database lacks.
  const ledger = new CheckpointLedger(toTrustedKeys(publicKeys), fail);
  const stored = new Map<string, string>(); // checkpointId → signature
  for await (const cp of checkpoints) {
    stored.set(cp.checkpointId, cp.signature);
    ledger.add(cp);
  }
  if (options.external) {
    for await (const cp of options.external.checkpoints) {
      const signature = stored.get(cp.checkpointId);
      if (signature === cp.signature) continue;
      fail({
        kind: 'checkpoint_missing',
        tenantId: cp.tenantId,
        checkpointId: cp.checkpointId,
        reason: `checkpoint ${cp.checkpointId} (${cp.createdAt}) is in ${options.external.name} but ${signature === undefined ? 'not' : 'differs'} in the database: checkpoints were removed or replaced`,
      });
      ledger.add(cp);
    }
  }
  const signed = ledger.settle();
  const purged = purgeAnchors(options.purged ?? [], signed, fail);
  for (const [ck, chain] of signed) {
    const anchor = anchors.get(ck);
    if (!anchor) continue;
    for (const [seq, e] of chain.expectations) {
      if (seq < anchor.seq) chain.expectations.delete(seq); // before the rows read
      else if (seq === anchor.seq && e.hash !== anchor.hash.toString('hex')) {
        const [tenantId, partition] = splitKey(ck);
        fail({ kind: 'checkpoint_mismatch', tenantId, partition, chainSeq: seq.toString(), checkpointId: e.checkpointId, reason: `the row before the window differs from the hash signed by checkpoint ${e.checkpointId}` });
      }
    }
  }

  const chains = new Map<string, ChainState>();
  let eventsChecked = 0;
  for await (const row of rows) {
    eventsChecked += 1;
    const ck = chainKey(row.tenantId, row.partition);
    let st = chains.get(ck);
    if (!st) {
      const anchor = anchors.get(ck);
      st = { tenantId: row.tenantId, partition: row.partition, lastSeq: anchor?.seq ?? 0n, lastHash: anchor?.hash ?? GENESIS_HASH, events: 0 };
      chains.set(ck, st);
    }
    const seq = toBig(row.chainSeq);
    const at = { tenantId: row.tenantId, partition: row.partition, chainSeq: seq.toString(), eventId: row.eventId };
    const expectedSeq = st.lastSeq + 1n;
    const purgedBefore = seq > expectedSeq ? purged.get(ck)?.get(seq - 1n) : undefined;
    if (purgedBefore) {
      // The rows up to seq - 1 were purged: the chain goes on from the anchored hash.
      if (!row.prevHash.equals(purgedBefore)) fail({ kind: 'prev_hash_mismatch', ...at, reason: `prev_hash does not equal the hash anchored at chain_seq ${seq - 1n} by a retention.purged record` });
    } else if (seq > expectedSeq) {
      fail({ kind: 'sequence_gap', ...at, reason: `chain_seq ${seq} follows ${st.lastSeq}: rows ${expectedSeq}..${seq - 1n} are missing` });
    } else if (seq < expectedSeq) {
      fail({ kind: 'sequence_duplicate', ...at, reason: `chain_seq ${seq} comes after ${st.lastSeq}: a row was inserted or rows were reordered` });
    } else if (!row.prevHash.equals(st.lastHash)) {
      fail({ kind: 'prev_hash_mismatch', ...at, reason: `prev_hash does not equal the hash of chain_seq ${st.lastSeq}: the chain is broken before this row` });
    }
    if (!hashEvent(row.prevHash, row.eventJson).equals(row.hash)) {
      fail({ kind: 'hash_mismatch', ...at, reason: 'hash does not equal SHA-256(prev_hash ‖ event_json): the row was altered' });
    }
    checkDerived(row, at, fail);
    const expected = signed.get(ck)?.expectations.get(seq);
    if (expected && expected.hash !== row.hash.toString('hex')) {
      fail({ kind: 'checkpoint_mismatch', ...at, checkpointId: expected.checkpointId, reason: `hash differs from the one signed by checkpoint ${expected.checkpointId} (${expected.createdAt}): history was rewritten` });
    }
    st.fromSeq ??= seq;
    st.lastSeq = seq;
    st.lastHash = row.hash;
    st.events += 1;
  }
  const purgedThrough = (ck: string) => [...(purged.get(ck)?.keys() ?? [])].reduce((max, seq) => (seq > max ? seq : max), 0n);
  const lastOf = (ck: string) => {
    const through = purgedThrough(ck);
    const last = chains.get(ck)?.lastSeq ?? anchors.get(ck)?.seq ?? 0n;
    return last > through ? last : through;
  };
  const hashAt = (ck: string, seq: bigint) => (chains.get(ck)?.lastSeq === seq ? chains.get(ck)?.lastHash : purged.get(ck)?.get(seq));

  // Truncation: a signed checkpoint reaches further than the rows.
  for (const [ck, chain] of signed) {
    const lastSeq = lastOf(ck);
    if (chain.furthest <= lastSeq) continue;
    const [tenantId, partition] = splitKey(ck);
    const by = chain.furthestBy;
    fail({
      kind: 'truncated',
      tenantId,
      partition,
      chainSeq: (lastSeq + 1n).toString(),
      checkpointId: by.checkpointId,
      reason: `checkpoint ${by.checkpointId} (${by.createdAt}) signed chain_seq ${chain.furthest} but the chain ends at ${lastSeq}: rows ${lastSeq + 1n}..${chain.furthest} are missing`,
    });
  }
  if (options.heads) checkHeads(options.heads, chains, lastOf, hashAt, fail);

  const summaries = [...chains.values()]
    .sort((a, b) => (a.tenantId === b.tenantId ? a.partition - b.partition : a.tenantId < b.tenantId ? -1 : 1))
    .map((c) => ({ tenantId: c.tenantId, partition: c.partition, fromSeq: (c.fromSeq ?? 0n).toString(), toSeq: c.lastSeq.toString(), headHash: c.lastHash.toString('hex'), events: c.events }));
  const uncovered: UncoveredRange[] = [];
  for (const c of summaries) {
    const signedUpTo = signed.get(chainKey(c.tenantId, c.partition))?.furthest ?? 0n;
    const last = BigInt(c.toSeq);
    if (last <= signedUpTo) continue;
    const from = signedUpTo + 1n > BigInt(c.fromSeq) ? signedUpTo + 1n : BigInt(c.fromSeq);
    uncovered.push({ tenantId: c.tenantId, partition: c.partition, fromSeq: from.toString(), toSeq: c.toSeq, events: Number(last - from + 1n) });
  }

  const newest = ledger.newest;
  const reasons = [...(options.unverifiedReasons ?? [])];
  if (!newest) reasons.push(eventsChecked ? 'no signed checkpoint covers any row' : 'no rows and no signed checkpoint: nothing to verify');
  if (uncovered.length) reasons.push(`${uncovered.reduce((n, u) => n + u.events, 0)} rows after the newest checkpoint are not signed yet`);
  const status = firstFailure ? 'failed' : reasons.length ? 'unverified' : 'ok';
  return {
    ok: status === 'ok',
    status,
    eventsChecked,
    checkpointsChecked: ledger.checked,
    chains: summaries,
    uncovered,
    unverifiedReasons: status === 'unverified' ? reasons : [],
    lastCheckpoint: newest,
    newestCheckpointAge: newest ? Math.max(0, Math.round(((options.now ?? new Date()).getTime() - Date.parse(newest.createdAt)) / 1000)) : null,
    firstFailure,
    failures,
  };
}

/** Each chain_heads row must name the chain's last row: beyond it the tail was cut, behind it the heads are inconsistent. */
function checkHeads(
  heads: readonly RecordedHead[],
  chains: Map<string, ChainState>,
  lastOf: (ck: string) => bigint,
  hashAt: (ck: string, seq: bigint) => Buffer | undefined,
  fail: (f: VerificationFailure) => void,
): void {
  const seen = new Set<string>();
  for (const h of heads) {
    const ck = chainKey(h.tenantId, h.partition);
    seen.add(ck);
    const seq = toBig(h.chainSeq);
    const lastSeq = lastOf(ck);
    const at = { tenantId: h.tenantId, partition: h.partition };
    if (seq > lastSeq) {
      fail({ kind: 'truncated', ...at, chainSeq: (lastSeq + 1n).toString(), reason: `chain_heads records chain_seq ${seq} but the chain ends at ${lastSeq}: rows ${lastSeq + 1n}..${seq} are missing` });
    } else if (seq < lastSeq) {
      fail({ kind: 'head_mismatch', ...at, chainSeq: (seq + 1n).toString(), reason: `chain_heads records chain_seq ${seq} but the chain goes on to ${lastSeq}: rows were added behind the projector` });
    } else {
      const last = hashAt(ck, seq);
      if (last && seq > 0n && !last.equals(toBuf(h.hash))) {
        fail({ kind: 'head_mismatch', ...at, chainSeq: seq.toString(), reason: `chain_heads records another hash for chain_seq ${seq} than the last row has` });
      }
    }
  }
  for (const [ck, st] of chains) {
    if (seen.has(ck)) continue;
    fail({ kind: 'head_mismatch', tenantId: st.tenantId, partition: st.partition, chainSeq: (st.fromSeq ?? 1n).toString(), reason: 'the chain has rows but no chain_heads row' });
  }
}
