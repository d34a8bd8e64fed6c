import { Inject, Injectable } from '@nestjs/common';
import type { Checkpoint } from '@agent-ledger/contracts';
import { verifyChains, type ChainSummary, type VerificationFailure } from '@agent-ledger/integrity';
import { LEDGER_KEYS, type LedgerKeys } from '../shared/ledger-keys';
import { IntegrityRepository, type Window } from './integrity.repository';

export interface VerifyAnswer {
  ok: boolean;
  eventsChecked: number;
  checkpointsChecked: number;
  chains: Omit<ChainSummary, 'tenantId'>[];
  lastCheckpoint: Pick<Checkpoint, 'checkpointId' | 'createdAt' | 'keyId' | 'heads'> | null;
  firstFailure?: VerificationFailure;
  failures: VerificationFailure[];
  window: { from: string | null; to: string | null };
}

@Injectable()
export class IntegrityService {
  constructor(
    private readonly repository: IntegrityRepository,
    @Inject(LEDGER_KEYS) private readonly keys: LedgerKeys,
  ) {}

  /**
   * Recomputes the tenant's hash chains (all, or the rows recorded in a window) and checks them
   * against its signed checkpoints. With `from`, each chain continues from its last row before the
   * window (that row's hash is compared with any checkpoint at its position).
   */
  async verify(tenantId: string, w: Window): Promise<VerifyAnswer> {
    const anchors = w.from ? await this.repository.anchorsBefore(tenantId, w.from) : [];
    const report = await verifyChains(this.repository.rows(tenantId, w), this.repository.checkpoints(tenantId, w.to), this.keys.publicKeys, { anchors, maxFailures: 20 });
    const cp = report.lastCheckpoint;
    return {
      ok: report.ok,
      eventsChecked: report.eventsChecked,
      checkpointsChecked: report.checkpointsChecked,
      chains: report.chains.map(({ tenantId: _t, ...c }) => c),
      lastCheckpoint: cp ? { checkpointId: cp.checkpointId, createdAt: cp.createdAt, keyId: cp.keyId, heads: cp.heads } : null,
      ...(report.firstFailure ? { firstFailure: report.firstFailure } : {}),
      failures: report.failures,
      window: { from: w.from?.toISOString() ?? null, to: w.to?.toISOString() ?? null },
    };
  }
}
