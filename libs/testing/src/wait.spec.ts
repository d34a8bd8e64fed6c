import { waitWhileGrowing } from './wait';

describe('waitWhileGrowing', () => {
  it('should wait past slow growth until the count reaches its target', async () => {
    const counts = [0, 3, 3, 7, 10];
    let i = 0;
    const r = await waitWhileGrowing(async () => counts[Math.min(i++, counts.length - 1)], 10, { stallMs: 1_000, intervalMs: 5 });
    expect(r.count).toBe(10);
    expect(i).toBe(counts.length);
  });

  it('should give up once the count has stopped growing for the stall time, answering the last count', async () => {
    let calls = 0;
    const started = Date.now();
    const r = await waitWhileGrowing(async () => Math.min(++calls, 4), 10, { stallMs: 60, intervalMs: 5 });
    expect(r.count).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(r.waitedMs).toBeGreaterThanOrEqual(60);
  });

  it('should give up at the longest wait even while the count grows', async () => {
    let n = 0;
    const r = await waitWhileGrowing(async () => ++n, 1_000_000, { stallMs: 10_000, maxMs: 50, intervalMs: 5 });
    expect(r.count).toBeLessThan(1_000_000);
    expect(r.waitedMs).toBeGreaterThanOrEqual(50);
    expect(r.waitedMs).toBeLessThan(5_000);
  });
});
