import { Inject, Injectable } from '@nestjs/common';
import type { Checkpoint } from '@agent-ledger/contracts';
import { verifyChains, type ChainSummary, type VerificationFailure, type VerificationStatus, type VerifyChainsOptions } from '@agent-ledger/integrity';
import { LEDGER_KEYS, type LedgerKeys } from '../shared/ledger-keys';
import { CheckpointWitnessClient } from './checkpoint-witness.client';
import { IntegrityRepository, type Window } from './integrity.repository';
import { verifyMerkleTree, withMerkleCheck, type MerkleSummary } from './merkle-verification';

const MAX_FAILURES = 20;

export interface VerifyAnswer {
  /** True only when `status` is `ok`. */
  ok: boolean;
  status: VerificationStatus;
  eventsChecked: number;
  checkpointsChecked: number;
  chains: Omit<ChainSummary, 'tenantId'>[];
  /** Rows no signed checkpoint covers yet, per chain. */
  uncovered: { partition: number; fromSeq: string; toSeq: string; events: number }[];
  /** Why the answer is unverified (empty otherwise). */
  unverifiedReasons: string[];
  lastCheckpoint: Pick<Checkpoint, 'checkpointId' | 'createdAt' | 'keyId' | 'heads'> | null;
  /** Seconds since the newest valid checkpoint was created; null without one. */
  newestCheckpointAge: number | null;
  /** Whether the external checkpoint log was read (`not_configured` without LEDGER_WITNESS_URL). */
  witness: 'read' | 'unavailable' | 'not_configured';
  /** What the Merkle tree check covered (docs/integrity.md). */
  merkle: MerkleSummary;
  firstFailure?: VerificationFailure;
  failures: VerificationFailure[];
  window: { from: string | null; to: string | null };
}

@Injectable()
export class IntegrityService {
  constructor(
    private readonly repository: IntegrityRepository,
    private readonly witness: CheckpointWitnessClient,
    @Inject(LEDGER_KEYS) private readonly keys: LedgerKeys,
  ) {}

  /**
   * Recomputes the tenant's hash chains (all, or the rows recorded in a window) and checks them
   * against its signed checkpoints, the external checkpoint log and the chain heads, then the Merkle
   * tree against the rows and the signed tree heads (merkle-verification.ts). With `from`,
   * each chain continues from its last row before the window (that row's hash is compared with any
   * checkpoint at its position). The witness is read before the database snapshot is taken, so every
   * checkpoint it holds was stored before the snapshot.
   */
  async verify(tenantId: string, w: Window): Promise<VerifyAnswer> {
    const witness = await this.witness.checkpointsOf(tenantId);
    const options: VerifyChainsOptions = { maxFailures: MAX_FAILURES };
    if (witness.status === 'read') {
      const before = w.to?.getTime();
      options.external = { name: 'the checkpoint witness', checkpoints: witness.checkpoints.filter((cp) => before === undefined || Date.parse(cp.createdAt) < before) };
    } else if (witness.status === 'unavailable') options.unverifiedReasons = [witness.reason];
    if (!this.keys.publicKeys.length) options.unverifiedReasons = [...(options.unverifiedReasons ?? []), 'no trusted checkpoint key is configured (LEDGER_SIGNING_PUBLIC_KEY)'];

    const { report, merkle } = await this.repository.inSnapshot(tenantId, async (reader, tree) => {
      const anchors = w.from ? await reader.anchorsBefore(w.from) : [];
      // chain_heads names where each chain ends now: it applies when the window reaches the end.
      const heads = w.to ? undefined : await reader.heads();
      const purged = await reader.purgeAnchors();
      const chains = await verifyChains(reader.rows(w), reader.checkpoints(w.to), this.keys.publicKeys, { ...options, anchors, heads, purged });
      const check = await verifyMerkleTree(tree, w);
      return { report: withMerkleCheck(chains, check, MAX_FAILURES), merkle: check.summary };
    });
    const cp = report.lastCheckpoint;
    return {
      ok: report.ok,
      status: report.status,
      eventsChecked: report.eventsChecked,
      checkpointsChecked: report.checkpointsChecked,
      chains: report.chains.map(({ tenantId: _t, ...c }) => c),
      uncovered: report.uncovered.map(({ tenantId: _t, ...u }) => u),
      unverifiedReasons: report.unverifiedReasons,
      lastCheckpoint: cp ? { checkpointId: cp.checkpointId, createdAt: cp.createdAt, keyId: cp.keyId, heads: cp.heads } : null,
      newestCheckpointAge: report.newestCheckpointAge,
      witness: witness.status,
      merkle,
      ...(report.firstFailure ? { firstFailure: report.firstFailure } : {}),
      failures: report.failures,
      window: { from: w.from?.toISOString() ?? null, to: w.to?.toISOString() ?? null },
    };
  }
}
