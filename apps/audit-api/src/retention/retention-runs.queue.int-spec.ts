import { RETENTION_QUEUE, type RetentionJobData } from '@agent-ledger/contracts';
import { stackEnv, uniqueSuffix } from '@agent-ledger/testing';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { RetentionRunsQueue, type QueuedRun } from './retention-runs.queue';

describe(`${RetentionRunsQueue.name} against Redis`, () => {
  const queuePrefix = `int-retention-${uniqueSuffix()}`;
  const queue = new RetentionRunsQueue({ redisUrl: stackEnv().redisUrl, queuePrefix, queueTimeoutMs: 5_000 });
  const workerConnection = new Redis(stackEnv().redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<RetentionJobData>(
    RETENTION_QUEUE,
    async (job) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
      return { outcome: 'purged', runId: job.data.runId };
    },
    { connection: workerConnection, prefix: queuePrefix, concurrency: 8 },
  );

  beforeAll(async () => {
    await worker.waitUntilReady();
    await new Promise<void>((resolve) => {
      const wait = () => ((queue as unknown as { connection: Redis }).connection.status === 'ready' ? resolve() : setTimeout(wait, 20));
      wait();
    });
  });

  afterAll(async () => {
    await worker.close();
    await workerConnection.quit();
    await queue.onApplicationShutdown();
  });

  it('should never show a run completed without its result, however close the read is to the finish', async () => {
    const runIds = Array.from({ length: 150 }, (_, i) => `${queuePrefix}-run-${i}`);
    const seen: QueuedRun[] = [];
    await Promise.all(
      runIds.map(async (runId, i) => {
        await queue.add({ runId, tenantId: `tenant-${i}`, requestedBy: 'int' });
        for (;;) {
          const run = await queue.find(runId);
          if (run) seen.push(run);
          if (run?.state === 'completed' || run?.state === 'failed') return;
        }
      }),
    );

    const completed = seen.filter((r) => r.state === 'completed');
    expect(completed.length).toBeGreaterThanOrEqual(runIds.length);
    expect(completed.filter((r) => r.returnvalue == null)).toEqual([]);
    expect(new Set(completed.map((r) => (r.returnvalue as { runId: string }).runId))).toEqual(new Set(runIds));
    expect(seen.every((r) => r.data.runId !== undefined)).toBe(true);
  });

  it('should answer undefined for a run the queue never had', async () => {
    expect(await queue.find(`${queuePrefix}-never-queued`)).toBeUndefined();
  });
});
