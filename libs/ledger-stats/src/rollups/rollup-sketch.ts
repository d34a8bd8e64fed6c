import { DDSketch } from '@datadog/sketches-js';
import { STATS_SKETCH_ACCURACY, STATS_SKETCH_ZERO_KEY, statsSketchKey } from '@agent-ledger/persistence';

/** One metric's values over a window: DDSketch bucket counts merged from rollups and edge rows, and the exact extremes. */
export class MergedSketch {
  private readonly counts = new Map<string, number>();
  n = 0;
  min: number | null = null;
  max: number | null = null;

  /** A rollup row's bucket counts and extremes. */
  addCounts(counts: Record<string, number>, min: number | null, max: number | null): void {
    for (const [k, c] of Object.entries(counts)) {
      this.counts.set(k, (this.counts.get(k) ?? 0) + c);
      this.n += c;
    }
    this.extremes(min, max);
  }

  /** One value read from the rows (a window's edge). */
  addValue(v: number): void {
    const k = statsSketchKey(v);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.n += 1;
    this.extremes(v, v);
  }

  merge(other: MergedSketch): void {
    this.addCounts(Object.fromEntries(other.counts), other.min, other.max);
  }

  /**
   * DDSketch's value at quantile q: within {@link STATS_SKETCH_ACCURACY} (relative) of the value of
   * rank ⌊q·(n−1)⌋; kept within the exact minimum and maximum. Null when empty.
   */
  quantile(q: number): number | null {
    if (!this.n) return null;
    const sketch = new DDSketch({ relativeAccuracy: STATS_SKETCH_ACCURACY });
    for (const [k, c] of this.counts) {
      if (c <= 0) continue;
      if (k === STATS_SKETCH_ZERO_KEY) sketch.zeroCount += c;
      else sketch.store.add(Number(k), c);
      sketch.count += c;
    }
    const v = sketch.getValueAtQuantile(q);
    return Math.min(Math.max(v, this.min ?? v), this.max ?? v);
  }

  private extremes(min: number | null, max: number | null): void {
    if (min !== null && (this.min === null || min < this.min)) this.min = min;
    if (max !== null && (this.max === null || max > this.max)) this.max = max;
  }
}
