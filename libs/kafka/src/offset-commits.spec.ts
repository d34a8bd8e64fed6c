import type { Offsets, OffsetsByTopicPartition } from 'kafkajs';
import { OffsetCommits, type OffsetCommitter } from './offset-commits';

/** kafkajs' offset manager as the payload exposes it: resolved offsets, a commit when the interval passed. */
class FakeOffsetManager implements OffsetCommitter {
  resolved = new Map<number, string>();
  committed = new Map<number, string>();
  requests: Offsets[] = [];
  lastCommit = Date.now();
  fail?: Error;

  constructor(private readonly intervalMs: number) {}

  uncommittedOffsets(): OffsetsByTopicPartition {
    const partitions = [...this.resolved].filter(([p, o]) => this.committed.get(p) !== o).map(([partition, offset]) => ({ partition, offset }));
    return { topics: partitions.length ? [{ topic: 't', partitions }] : [] };
  }

  async commitOffsetsIfNecessary(offsets?: Offsets): Promise<void> {
    if (!offsets && Date.now() < this.lastCommit + this.intervalMs) return;
    const topics = offsets?.topics ?? this.uncommittedOffsets().topics;
    if (topics.length && this.fail) throw this.fail;
    this.lastCommit = Date.now();
    if (!topics.length) return;
    this.requests.push({ topics });
    for (const { partitions } of topics) for (const { partition, offset } of partitions) this.committed.set(partition, offset);
  }
}

describe('OffsetCommits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should send one commit per interval however many batches resolve offsets in it', async () => {
    const manager = new FakeOffsetManager(1_000);
    const commits = new OffsetCommits(1_000, () => undefined);
    commits.use(manager);
    for (let i = 0; i < 50; i++) {
      manager.resolved.set(i % 12, String(i));
      await commits.due();
      jest.advanceTimersByTime(10);
    }
    expect(manager.requests).toHaveLength(0);
    jest.advanceTimersByTime(500);
    await commits.due();
    expect(manager.requests).toHaveLength(1);
    expect(manager.committed.size).toBe(12);
    commits.stop();
  });

  it('should commit the tail from its timer when no batch comes', async () => {
    const manager = new FakeOffsetManager(1_000);
    const commits = new OffsetCommits(1_000, () => undefined);
    commits.use(manager);
    manager.resolved.set(3, '41');
    await jest.advanceTimersByTimeAsync(1_600);
    expect(manager.committed.get(3)).toBe('41');
    commits.stop();
  });

  it('should commit everything resolved at once on flush, and nothing when all is committed', async () => {
    const manager = new FakeOffsetManager(60_000);
    const commits = new OffsetCommits(60_000, () => undefined);
    commits.use(manager);
    manager.resolved.set(0, '7').set(1, '9');
    await commits.flush();
    expect([...manager.committed]).toEqual([[0, '7'], [1, '9']]);
    await commits.flush();
    expect(manager.requests).toHaveLength(1);
    commits.stop();
  });

  it('should report a failed flush or tail commit instead of throwing, and retry the tail on the next tick', async () => {
    const manager = new FakeOffsetManager(100);
    const errors: string[] = [];
    const commits = new OffsetCommits(100, (err, when) => errors.push(`${when}: ${(err as Error).message}`));
    commits.use(manager);
    manager.resolved.set(0, '5');
    manager.fail = new Error('coordinator away');
    await expect(commits.flush()).resolves.toBeUndefined();
    await jest.advanceTimersByTimeAsync(120);
    expect(errors).toEqual(['flush: coordinator away', 'tail: coordinator away']);
    manager.fail = undefined;
    await jest.advanceTimersByTimeAsync(120);
    expect(manager.committed.get(0)).toBe('5');
    commits.stop();
  });

  it('should neither commit nor take a consumer once stopped', async () => {
    const manager = new FakeOffsetManager(100);
    const commits = new OffsetCommits(100, () => undefined);
    commits.use(manager);
    commits.stop();
    manager.resolved.set(0, '5');
    commits.use(manager);
    await jest.advanceTimersByTimeAsync(1_000);
    await commits.flush();
    await commits.due();
    expect(manager.requests).toHaveLength(0);
  });
});
