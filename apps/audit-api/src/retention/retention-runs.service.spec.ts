import { ApiError } from '@agent-ledger/runtime';
import type { RetentionJobData } from '@agent-ledger/contracts';
import type { QueuedRun, RetentionRunsQueue } from './retention-runs.queue';
import { RetentionRunsService } from './retention-runs.service';

const TENANT = '6f1c1b8e-5d7a-4c1e-9f3a-2b6d8e9a0c11';
const OTHER = '0b9c4a52-8f0e-4c55-9d8c-8a4f1f6f2b10';
const RUN = 'a3e8b1f2-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

/** The queue as the service uses it: jobs kept in a map. */
function fakeQueue(jobs: Map<string, QueuedRun> = new Map()) {
  const added: RetentionJobData[] = [];
  const queue = {
    add: async (data: RetentionJobData) => {
      added.push(data);
    },
    find: async (runId: string) => jobs.get(runId),
  } as unknown as RetentionRunsQueue;
  return { queue, added };
}

const job = (state: string, extra: Partial<QueuedRun> = {}, tenantId = TENANT): QueuedRun => ({ data: { tenantId, runId: RUN, requestedBy: 'k' }, state, returnvalue: null, ...extra });

describe(RetentionRunsService.name, () => {
  it('should queue a run with a fresh id, the tenant and the requesting key when a run starts', async () => {
    const { queue, added } = fakeQueue();
    const runs = new RetentionRunsService(queue);
    const a = await runs.start(TENANT, { kind: 'api-key', keyId: 'key-1', tenantId: TENANT, scopes: ['admin'] });
    const b = await runs.start(TENANT, { kind: 'root' });
    expect(a).toEqual({ runId: expect.stringMatching(/^[0-9a-f-]{36}$/), state: 'queued' });
    expect(b.runId).not.toBe(a.runId);
    expect(added).toEqual([
      { tenantId: TENANT, runId: a.runId, requestedBy: 'key-1' },
      { tenantId: TENANT, runId: b.runId, requestedBy: 'root' },
    ]);
  });

  it.each([
    ['waiting', 'queued'],
    ['delayed', 'queued'],
    ['prioritized', 'queued'],
    ['active', 'running'],
  ])('should show a %s job as %s without result or error', async (jobState, state) => {
    const runs = new RetentionRunsService(fakeQueue(new Map([[RUN, job(jobState, { failedReason: 'attempt 1 failed' })]])).queue);
    expect(await runs.find(TENANT, RUN)).toEqual({ runId: RUN, state });
  });

  it("should pass the worker's return value through when the run completed", async () => {
    const returnvalue = { tenantId: TENANT, outcome: 'purged', purgeId: RUN, events: 12, archive: { object: 'o' } };
    const runs = new RetentionRunsService(fakeQueue(new Map([[RUN, job('completed', { returnvalue })]])).queue);
    expect(await runs.find(TENANT, RUN.toUpperCase())).toEqual({ runId: RUN, state: 'completed', result: returnvalue });
  });

  it('should show the failure reason when the run failed', async () => {
    const runs = new RetentionRunsService(fakeQueue(new Map([[RUN, job('failed', { failedReason: 'database unavailable' })]])).queue);
    expect(await runs.find(TENANT, RUN)).toEqual({ runId: RUN, state: 'failed', error: 'database unavailable' });
  });

  it.each([
    ['the run is unknown', new Map<string, QueuedRun>()],
    ["the run is another tenant's", new Map([[RUN, job('waiting', {}, OTHER)]])],
    ['the job was removed while it was read', new Map([[RUN, job('unknown')]])],
  ])('should answer 404 run_not_found when %s', async (_what, jobs) => {
    const err = await new RetentionRunsService(fakeQueue(jobs).queue).find(TENANT, RUN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'run_not_found', field: 'runId' });
  });
});
