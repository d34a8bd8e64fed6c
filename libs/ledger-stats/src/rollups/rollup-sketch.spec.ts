import { STATS_SKETCH_ACCURACY, statsSketchKey } from '@agent-ledger/persistence';
import { MergedSketch } from './rollup-sketch';

/** The value of rank ⌊q·(n−1)⌋, the one DDSketch's quantile approximates. */
const atRank = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))];

describe(MergedSketch.name, () => {
  const values = Array.from({ length: 5_000 }, (_, i) => Math.round(Math.exp(1 + ((i * 7919) % 5_000) / 500)));
  const sorted = [...values].sort((a, b) => a - b);

  it('should answer each quantile within the relative accuracy of the value at its rank, from values or merged bucket counts alike', () => {
    const direct = new MergedSketch();
    for (const v of values) direct.addValue(v);
    // The same values as rollup rows: bucket counts per part, merged.
    const merged = new MergedSketch();
    for (let part = 0; part < 5; part++) {
      const counts: Record<string, number> = {};
      const slice = values.slice(part * 1_000, (part + 1) * 1_000);
      for (const v of slice) counts[statsSketchKey(v)] = (counts[statsSketchKey(v)] ?? 0) + 1;
      merged.addCounts(counts, Math.min(...slice), Math.max(...slice));
    }
    for (const q of [0, 0.5, 0.9, 0.95, 0.99, 1]) {
      const want = atRank(sorted, q);
      for (const s of [direct, merged]) expect(Math.abs((s.quantile(q) as number) - want)).toBeLessThanOrEqual(STATS_SKETCH_ACCURACY * want);
    }
    expect([merged.n, merged.min, merged.max]).toEqual([5_000, sorted[0], sorted[4_999]]);
  });

  it('should count zeros in the zero bucket and keep estimates within the exact extremes', () => {
    const s = new MergedSketch();
    for (const v of [0, 0, 0, 10]) s.addValue(v);
    expect([s.quantile(0.5), s.quantile(1), s.max]).toEqual([0, 10, 10]);
    expect(statsSketchKey(0)).toBe('z');
  });

  it('should answer null when empty, and nothing for buckets whose counts cancelled out', () => {
    const s = new MergedSketch();
    expect(s.quantile(0.5)).toBeNull();
    s.addCounts({ [statsSketchKey(100)]: 1 }, 100, 100);
    s.addCounts({ [statsSketchKey(100)]: -1, [statsSketchKey(7)]: 1 }, 7, 7);
    expect(Math.abs((s.quantile(0.5) as number) - 7)).toBeLessThanOrEqual(0.07);
  });
});
