import type { KeyObject } from 'node:crypto';
import type { Checkpoint } from '@agent-ledger/contracts';
import { deriveColumns, type DerivedColumns } from './derived-columns';
import { GENESIS_HASH, hashEvent } from './hash-chain';
import { signingKeyId, verifyCheckpointSignature } from './signing';
import type { StoredRow } from './stored-row';

export type VerificationFailureKind =
  /** `hash` ≠ SHA-256(prev_hash ‖ event_json): the row's event (or its hash) was edited. */
  | 'hash_mismatch'
  /** `prev_hash` ≠ the hash of the previous row: a row before it was replaced or re-hashed. */
  | 'prev_hash_mismatch'
  /** chain_seq jumps forward: rows were deleted. */
  | 'sequence_gap'
  /** chain_seq repeats or goes back: a row was inserted or rows were reordered. */
  | 'sequence_duplicate'
  /** A query column does not match what event_json says. */
  | 'derived_mismatch'
  /** event_json is not a storable event object. */
  | 'malformed_event'
  /** A row's hash differs from the hash a signed checkpoint recorded for that chain_seq (history rewritten). */
  | 'checkpoint_mismatch'
  /** The chain ends before the chain_seq a signed checkpoint recorded: rows were removed from its end. */
  | 'truncated'
  /** Two validly signed checkpoints disagree about the same chain position. */
  | 'checkpoint_conflict'
  | 'bad_checkpoint_signature'
  | 'unknown_checkpoint_key';

export interface VerificationFailure {
  kind: VerificationFailureKind;
  tenantId?: string;
  partition?: number;
  /** Decimal string. */
  chainSeq?: string;
  eventId?: string;
  checkpointId?: string;
  /** Names columns and positions, never event content. */
  reason: string;
}

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

export interface VerificationReport {
  ok: boolean;
  eventsChecked: number;
  checkpointsChecked: number;
  chains: ChainSummary[];
  /** The most recent validly signed checkpoint given. */
  lastCheckpoint?: Checkpoint;
  firstFailure?: VerificationFailure;
  /** The first `maxFailures` failures, in the order found. */
  failures: VerificationFailure[];
}

/** Where a chain continues from when its earlier rows are no longer there (archived by retention). */
export interface ChainAnchor {
  tenantId: string;
  partition: number;
  /** chain_seq of the last archived row. */
  chainSeq: bigint | number | string;
  /** Its hash (Buffer or lowercase hex). */
  hash: Buffer | string;
}

export interface VerifyChainsOptions {
  anchors?: readonly ChainAnchor[];
  /** How many failures to collect (default 100); verification always reads every row. */
  maxFailures?: number;
}

interface Expectation {
  hash: string;
  checkpointId: string;
  createdAt: string;
}

interface ChainState {
  tenantId: string;
  partition: number;
  fromSeq?: bigint;
  lastSeq: bigint;
  lastHash: Buffer;
  events: number;
  anchored: boolean;
}

const DERIVED: readonly (keyof DerivedColumns & keyof StoredRow)[] = [
  'tenantId', 'eventId', 'type', 'actionId', 'sessionId', 'agentId', 'actorId', 'toolName', 'riskLevel',
  'approvalDecision', 'subjectId', 'resourceType', 'resourceId',
];
const COLUMN_NAMES: Record<string, string> = {
  tenantId: 'tenant_id', eventId: 'event_id', type: 'type', actionId: 'action_id', sessionId: 'session_id', agentId: 'agent_id',
  actorId: 'actor_id', toolName: 'tool_name', riskLevel: 'risk_level', approvalDecision: 'approval_decision', subjectId: 'subject_id',
  resourceType: 'resource_type', resourceId: 'resource_id', occurredAt: 'occurred_at', receivedAt: 'received_at',
};

const chainKey = (tenantId: string, partition: number) => `${tenantId}/${partition}`;
const toBig = (v: bigint | number | string): bigint => (typeof v === 'bigint' ? v : BigInt(v));
const toMs = (v: Date | string): number => (v instanceof Date ? v.getTime() : Date.parse(v));

/**
 * Recomputes hash chains from stored rows and checks them against signed checkpoints.
 *
 * `rows` must deliver each chain (tenant, partition) in ascending chain_seq order; chains may be
 * interleaved. Memory grows with the number of chains and checkpoint heads, never with the number
 * of rows. Pass the checkpoints of the same tenants as the rows (all of them, or at least the most
 * recent one): a chain that a checkpoint covers but the rows do not reach is reported as truncated.
 */
export async function verifyChains(
  rows: AsyncIterable<StoredRow> | Iterable<StoredRow>,
  checkpoints: Iterable<Checkpoint> | AsyncIterable<Checkpoint>,
  publicKeys: KeyObject | readonly KeyObject[],
  options: VerifyChainsOptions = {},
): Promise<VerificationReport> {
  const maxFailures = options.maxFailures ?? 100;
  const failures: VerificationFailure[] = [];
  let firstFailure: VerificationFailure | undefined;
  const fail = (f: VerificationFailure) => {
    firstFailure ??= f;
    if (failures.length < maxFailures) failures.push(f);
  };

  const anchors = new Map<string, { seq: bigint; hash: Buffer }>();
  for (const a of options.anchors ?? []) {
    anchors.set(chainKey(a.tenantId, a.partition), { seq: toBig(a.chainSeq), hash: typeof a.hash === 'string' ? Buffer.from(a.hash, 'hex') : a.hash });
  }

  // Checkpoints: verify each signature; the valid ones become expectations per chain position.
  const keys = new Map<string, KeyObject>();
  for (const k of Array.isArray(publicKeys) ? publicKeys : [publicKeys as KeyObject]) keys.set(signingKeyId(k), k);
  const expectations = new Map<string, Map<bigint, Expectation>>();
  let checkpointsChecked = 0;
  let lastCheckpoint: Checkpoint | undefined;
  for await (const cp of checkpoints) {
    checkpointsChecked += 1;
    const key = keys.get(cp.keyId);
    if (!key) {
      fail({ kind: 'unknown_checkpoint_key', tenantId: cp.tenantId, checkpointId: cp.checkpointId, reason: `checkpoint is signed with key ${cp.keyId}, which is not among the trusted public keys` });
      continue;
    }
    if (!verifyCheckpointSignature(cp, key)) {
      fail({ kind: 'bad_checkpoint_signature', tenantId: cp.tenantId, checkpointId: cp.checkpointId, reason: `checkpoint signature does not verify with key ${cp.keyId}` });
      continue;
    }
    if (!lastCheckpoint || Date.parse(cp.createdAt) > Date.parse(lastCheckpoint.createdAt)) lastCheckpoint = cp;
    for (const head of cp.heads) {
      const ck = chainKey(cp.tenantId, head.partition);
      const seq = BigInt(head.chainSeq);
      const anchor = anchors.get(ck);
      if (anchor && seq < anchor.seq) continue; // archived part of the chain
      if (anchor && seq === anchor.seq) {
        if (anchor.hash.toString('hex') !== head.hash) {
          fail({ kind: 'checkpoint_mismatch', tenantId: cp.tenantId, partition: head.partition, chainSeq: head.chainSeq, checkpointId: cp.checkpointId, reason: 'the archive anchor hash differs from the signed checkpoint' });
        }
        continue;
      }
      let perChain = expectations.get(ck);
      if (!perChain) expectations.set(ck, (perChain = new Map()));
      const existing = perChain.get(seq);
      if (existing && existing.hash !== head.hash) {
        fail({ kind: 'checkpoint_conflict', tenantId: cp.tenantId, partition: head.partition, chainSeq: head.chainSeq, checkpointId: cp.checkpointId, reason: `checkpoints ${existing.checkpointId} and ${cp.checkpointId} sign different hashes for the same chain position` });
        continue;
      }
      perChain.set(seq, { hash: head.hash, checkpointId: cp.checkpointId, createdAt: cp.createdAt });
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
      st = { tenantId: row.tenantId, partition: row.partition, lastSeq: anchor?.seq ?? 0n, lastHash: anchor?.hash ?? GENESIS_HASH, events: 0, anchored: !!anchor };
      chains.set(ck, st);
    }
    const seq = toBig(row.chainSeq);
    const at = { tenantId: row.tenantId, partition: row.partition, chainSeq: seq.toString(), eventId: row.eventId };
    const expectedSeq = st.lastSeq + 1n;
    if (seq > expectedSeq) {
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
    const expected = expectations.get(ck)?.get(seq);
    if (expected && expected.hash !== row.hash.toString('hex')) {
      fail({ kind: 'checkpoint_mismatch', ...at, checkpointId: expected.checkpointId, reason: `hash differs from the one signed by checkpoint ${expected.checkpointId} (${expected.createdAt}): history was rewritten` });
    }
    st.fromSeq ??= seq;
    st.lastSeq = seq;
    st.lastHash = row.hash;
    st.events += 1;
  }

  // Truncation: a signed checkpoint reaches further than the rows.
  for (const [ck, perChain] of expectations) {
    let furthest: [bigint, Expectation] | undefined;
    for (const entry of perChain) if (!furthest || entry[0] > furthest[0]) furthest = entry;
    if (!furthest) continue;
    const st = chains.get(ck);
    const [tenantId, partition] = [ck.slice(0, ck.lastIndexOf('/')), Number(ck.slice(ck.lastIndexOf('/') + 1))];
    const lastSeq = st?.lastSeq ?? anchors.get(ck)?.seq ?? 0n;
    if (furthest[0] > lastSeq) {
      fail({
        kind: 'truncated',
        tenantId,
        partition,
        chainSeq: (lastSeq + 1n).toString(),
        checkpointId: furthest[1].checkpointId,
        reason: `checkpoint ${furthest[1].checkpointId} (${furthest[1].createdAt}) signed chain_seq ${furthest[0]} but the chain ends at ${lastSeq}: rows ${lastSeq + 1n}..${furthest[0]} are missing`,
      });
    }
  }

  const summaries = [...chains.values()]
    .sort((a, b) => (a.tenantId === b.tenantId ? a.partition - b.partition : a.tenantId < b.tenantId ? -1 : 1))
    .map((c) => ({ tenantId: c.tenantId, partition: c.partition, fromSeq: (c.fromSeq ?? 0n).toString(), toSeq: c.lastSeq.toString(), headHash: c.lastHash.toString('hex'), events: c.events }));
  return { ok: !firstFailure, eventsChecked, checkpointsChecked, chains: summaries, lastCheckpoint, firstFailure, failures };
}

function checkDerived(row: StoredRow, at: Omit<VerificationFailure, 'kind' | 'reason'>, fail: (f: VerificationFailure) => void): void {
  let derived: DerivedColumns;
  try {
    derived = deriveColumns(JSON.parse(row.eventJson));
  } catch (err) {
    fail({ kind: 'malformed_event', ...at, reason: `event_json is not a storable event: ${(err as Error).message}` });
    return;
  }
  const differing = DERIVED.filter((c) => (row[c] ?? null) !== derived[c]).map((c) => COLUMN_NAMES[c]);
  if (toMs(row.occurredAt) !== Date.parse(derived.occurredAt)) differing.push(COLUMN_NAMES.occurredAt);
  if (toMs(row.receivedAt) !== Date.parse(derived.receivedAt)) differing.push(COLUMN_NAMES.receivedAt);
  if (differing.length) fail({ kind: 'derived_mismatch', ...at, reason: `columns differ from event_json: ${differing.join(', ')}` });
}
