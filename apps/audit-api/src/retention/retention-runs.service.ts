import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@agent-ledger/auth';
import { ApiError } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { RetentionRunsQueue } from './retention-runs.queue';

export type RunState = 'queued' | 'running' | 'completed' | 'failed';

export interface RunView {
  runId: string;
  state: RunState;
  /** The worker's outcome (`{tenantId, outcome, purgeId?, events?, archive?}`), once completed. */
  result?: unknown;
  /** Why the run failed, once failed. */
  error?: string;
}

/** BullMQ's job states as a run's: waiting, delayed (a retry's backoff) and prioritized are queued. */
function runState(jobState: string): RunState {
  switch (jobState) {
    case 'active':
      return 'running';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    default:
      return 'queued';
  }
}

/** On-demand retention runs of a tenant: queued for the retention worker, followed by id. */
@Injectable()
export class RetentionRunsService {
  private readonly log = createLogger(RetentionRunsService.name);

  constructor(private readonly queue: RetentionRunsQueue) {}

  async start(tenantId: string, principal: Principal): Promise<{ runId: string; state: 'queued' }> {
    const runId = randomUUID();
    const requestedBy = principal.kind === 'api-key' ? principal.keyId : 'root';
    await this.queue.add({ tenantId, runId, requestedBy });
    this.log.info({ tenantId, runId, requestedBy }, 'retention run queued');
    return { runId, state: 'queued' };
  }

  /** A run of the caller's tenant; another tenant's run is as unknown as a run that never existed. */
  async find(tenantId: string, runId: string): Promise<RunView> {
    const id = runId.toLowerCase();
    const job = await this.queue.find(id);
    // `unknown`: removed between reading the job and its state.
    if (!job || job.data.tenantId !== tenantId || job.state === 'unknown') throw ApiError.notFound('run_not_found', `no retention run ${runId}`, 'runId');
    const state = runState(job.state);
    return {
      runId: id,
      state,
      ...(state === 'completed' ? { result: job.returnvalue } : {}),
      ...(state === 'failed' ? { error: job.failedReason ?? 'the run failed' } : {}),
    };
  }
}
