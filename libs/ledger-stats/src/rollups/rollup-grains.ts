/** The grains of the rollup tables: buckets start on whole UTC minutes, hours and days. */
export type RollupGrain = 'minute' | 'hour' | 'day';

export const GRAIN_MS: Record<RollupGrain, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The start of the grain's bucket holding the instant (UTC; the same as PostgreSQL's `date_trunc(grain, t, 'UTC')`). */
export function bucketStart(ms: number, grain: RollupGrain): number {
  return Math.floor(ms / GRAIN_MS[grain]) * GRAIN_MS[grain];
}

/** A half-open range [from, to) of instants in milliseconds. */
export interface MsRange {
  from: number;
  to: number;
}

/** Where each part of a window is read from: whole buckets of a grain, or the rows themselves. */
export interface WindowPlan {
  rollups: { grain: RollupGrain; range: MsRange }[];
  /** The parts not covered by a whole bucket of any grain: read exactly from the rows. */
  exact: MsRange[];
}

/**
 * Splits [from, to) into whole buckets of the coarsest grain that fits, then the remaining edges into
 * whole buckets of the next grain, and so on; what is left (less than a bucket of the finest grain on
 * either side) is read exactly. `grains` are ordered coarsest first.
 */
export function planWindow(range: MsRange, grains: RollupGrain[]): WindowPlan {
  const plan: WindowPlan = { rollups: [], exact: [] };
  const split = (r: MsRange, level: number): void => {
    if (r.from >= r.to) return;
    const grain = grains[level];
    if (!grain) {
      plan.exact.push(r);
      return;
    }
    const step = GRAIN_MS[grain];
    const inner = { from: Math.ceil(r.from / step) * step, to: bucketStart(r.to, grain) };
    if (inner.from >= inner.to) return split(r, level + 1);
    split({ from: r.from, to: inner.from }, level + 1);
    plan.rollups.push({ grain, range: inner });
    split({ from: inner.to, to: r.to }, level + 1);
  };
  split(range, 0);
  return plan;
}
