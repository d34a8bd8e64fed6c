import { randomBytes, randomUUID } from 'node:crypto';
import type { CheckpointService } from '../checkpoints/checkpoint.service';
import { MerkleBackfill } from './merkle-backfill';
import { planChunk, type BackfillRange, type BackfillRow } from './merkle-backfill-plan';
import type { MerkleBackfillRepository } from './merkle-backfill.repository';
import type { MerkleLeafSource, MerkleWriter } from './merkle-writer';
import type { ProjectionRepository, ProjectionTransaction } from './projection.repository';

const row = (chainSeq: number, hasLeaf = false): BackfillRow => ({ eventId: randomUUID(), chainSeq: BigInt(chainSeq), hash: randomBytes(32), hasLeaf });
const rangeOf = (nextSeq: number, throughSeq: number, tenantId = randomUUID(), partition = 0): BackfillRange => ({ tenantId, partition, nextSeq: BigInt(nextSeq), throughSeq: BigInt(throughSeq) });

describe(planChunk.name, () => {
  it('should append the rows without a leaf in chain order and continue after the last row when the chunk is full', () => {
    const range = rangeOf(1, 10);
    const rows = [row(1), row(2), row(3)];
    const plan = planChunk(range, rows, 3);
    expect(plan.append).toEqual(rows.map((r) => ({ tenantId: range.tenantId, eventId: r.eventId, chainSeq: r.chainSeq, hash: r.hash })));
    expect(plan).toMatchObject({ skipped: 0, nextSeq: 4n });
  });

  it('should finish the range when fewer rows than the limit are left', () => {
    expect(planChunk(rangeOf(4, 10), [row(4), row(9)], 3).nextSeq).toBeUndefined();
  });

  it('should finish the range when a full chunk ends at its last position', () => {
    expect(planChunk(rangeOf(8, 10), [row(8), row(9), row(10)], 3).nextSeq).toBeUndefined();
  });

  it('should finish the range with nothing to append when retention purged its rows', () => {
    expect(planChunk(rangeOf(1, 500), [], 100)).toEqual({ append: [], skipped: 0 });
  });

  it('should skip the rows that have a leaf already when the rows without one were not a prefix of the chain', () => {
    const rows = [row(5), row(6, true), row(8, true), row(9)];
    const plan = planChunk(rangeOf(5, 20), rows, 4);
    expect(plan.append.map((r) => r.chainSeq)).toEqual([5n, 9n]);
    expect(plan).toMatchObject({ skipped: 2, nextSeq: 10n });
  });

  it('should refuse rows outside the range, out of chain order or more than the limit', () => {
    expect(() => planChunk(rangeOf(5, 9), [row(4)], 3)).toThrow(RangeError);
    expect(() => planChunk(rangeOf(5, 9), [row(10)], 3)).toThrow(RangeError);
    expect(() => planChunk(rangeOf(5, 9), [row(6), row(6)], 3)).toThrow(RangeError);
    expect(() => planChunk(rangeOf(5, 9), [row(7), row(6)], 3)).toThrow(RangeError);
    expect(() => planChunk(rangeOf(5, 9), [row(5), row(6)], 1)).toThrow(RangeError);
    expect(() => planChunk(rangeOf(5, 9), [], 0)).toThrow(RangeError);
  });
});

/** merkle_backfill and audit_events in memory; `held` ranges are locked by "another projector". */
function fakeBackfill(ranges: BackfillRange[], rows: Map<string, BackfillRow[]>, options: { held?: Set<string>; failures?: number } = {}) {
  const key = (r: { tenantId: string; partition: number }) => `${r.tenantId}/${r.partition}`;
  const appended: { partition: number; rows: MerkleLeafSource[] }[] = [];
  const grown: string[] = [];
  let failures = options.failures ?? 0;
  const statements = {
    claimRange: async () => {
      if (failures > 0) {
        failures--;
        throw new Error('connection refused');
      }
      const r = ranges.find((x) => !options.held?.has(key(x)));
      return r && { ...r };
    },
    nextRows: async (_tx: unknown, r: BackfillRange, limit: number) =>
      (rows.get(key(r)) ?? []).filter((x) => x.chainSeq >= r.nextSeq && x.chainSeq <= r.throughSeq).slice(0, limit),
    advance: async (_tx: unknown, r: BackfillRange, nextSeq: bigint | undefined) => {
      const i = ranges.findIndex((x) => key(x) === key(r));
      if (nextSeq === undefined) ranges.splice(i, 1);
      else ranges[i] = { ...ranges[i], nextSeq };
    },
    pending: async () => ({ ranges: ranges.length, positions: ranges.reduce((n, r) => n + Number(r.throughSeq - r.nextSeq + 1n), 0) }),
  } as unknown as MerkleBackfillRepository;
  let size = 0;
  const writer = {
    append: async (_tx: unknown, partition: number, leaves: MerkleLeafSource[]) => {
      appended.push({ partition, rows: leaves });
      size += leaves.length;
      return leaves.length ? [{ tenantId: leaves[0].tenantId, size, root: randomBytes(32) }] : [];
    },
  } as unknown as MerkleWriter;
  const transactions = { transaction: <T>(fn: (tx: ProjectionTransaction) => Promise<T>) => fn({} as ProjectionTransaction) } as unknown as ProjectionRepository;
  const checkpoints = { recordTreeGrown: (t: string) => grown.push(t) } as unknown as CheckpointService;
  const backfill = new MerkleBackfill(transactions, statements, writer, checkpoints, { chunkRows: 3, pauseMs: 10, idleMs: 1_000 });
  return { backfill, appended, grown, ranges };
}

describe(MerkleBackfill.name, () => {
  afterEach(() => jest.useRealTimers());

  it('should append a range chunk by chunk in chain order, delete it when done and mark its tenant for a checkpoint', async () => {
    const range = rangeOf(1, 7, randomUUID(), 4);
    const stored = [1, 2, 3, 4, 5, 6, 7].map((s) => row(s, s === 5));
    const f = fakeBackfill([range], new Map([[`${range.tenantId}/4`, stored]]));

    expect(await f.backfill.drain()).toBe(6);

    expect(f.appended.map((a) => a.rows.map((r) => Number(r.chainSeq)))).toEqual([[1, 2, 3], [4, 6], [7]]);
    expect(f.appended.every((a) => a.partition === 4)).toBe(true);
    expect(f.ranges).toEqual([]);
    expect(f.grown).toEqual([range.tenantId, range.tenantId, range.tenantId]);
    expect(await f.backfill.drain()).toBe(0);
  });

  it('should run chunks in the background from startup and stop when the table is empty', async () => {
    jest.useFakeTimers();
    const a = rangeOf(1, 4);
    const b = rangeOf(10, 11);
    const f = fakeBackfill([a, b], new Map([[`${a.tenantId}/0`, [row(1), row(2), row(3), row(4)]], [`${b.tenantId}/0`, [row(10), row(11)]]]));

    f.backfill.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(100);

    expect(f.appended.map((x) => x.rows.length)).toEqual([3, 1, 2]);
    expect(f.ranges).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('should look again later, not spin, when another projector holds the ranges left', async () => {
    jest.useFakeTimers();
    const a = rangeOf(1, 2);
    const held = new Set([`${a.tenantId}/0`]);
    const f = fakeBackfill([a], new Map([[`${a.tenantId}/0`, [row(1), row(2)]]]), { held });

    f.backfill.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(500);
    expect(f.appended).toEqual([]);
    expect(jest.getTimerCount()).toBe(1);

    held.clear(); // the other projector stopped; its transaction rolled back
    await jest.advanceTimersByTimeAsync(1_000);
    expect(f.appended.map((x) => x.rows.length)).toEqual([2]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('should retry after a failed chunk', async () => {
    jest.useFakeTimers();
    const a = rangeOf(1, 1);
    const f = fakeBackfill([a], new Map([[`${a.tenantId}/0`, [row(1)]]]), { failures: 1 });

    f.backfill.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(500);
    expect(f.appended).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(f.appended.map((x) => x.rows.length)).toEqual([1]);
  });

  it('should schedule nothing more once shut down', async () => {
    jest.useFakeTimers();
    const a = rangeOf(1, 9);
    const f = fakeBackfill([a], new Map([[`${a.tenantId}/0`, [1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => row(s))]]));

    f.backfill.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    await f.backfill.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(1_000);

    expect(f.appended.length).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});
