/** Pure geometry of the activity chart (kept apart from React so it is unit-tested). */

export interface SeriesPoint {
  t: string;
  actions: number;
  executed: number;
  failed: number;
}

export const BUCKET_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * Every bucket of the window, in order, with zeros where the API returned no row (it returns only
 * buckets that have actions). Buckets start at UTC multiples of their size, as date_trunc gives them.
 */
export function fillSeries(series: SeriesPoint[], window: { from: string; to: string; bucket: string }, maxBuckets = 1_000): SeriesPoint[] {
  const size = BUCKET_MS[window.bucket];
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  if (!size || Number.isNaN(from) || Number.isNaN(to) || to <= from) return [...series].sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
  const byStart = new Map(series.map((p) => [Date.parse(p.t), p]));
  const start = Math.floor(from / size) * size;
  const count = Math.min(maxBuckets, Math.ceil((to - start) / size));
  const out: SeriesPoint[] = [];
  for (let i = 0; i < count; i++) {
    const t = start + i * size;
    const p = byStart.get(t);
    out.push(p ? { ...p, t: new Date(t).toISOString() } : { t: new Date(t).toISOString(), actions: 0, executed: 0, failed: 0 });
  }
  // Rows the grid missed (a bucket rule that differs) are kept rather than dropped.
  const grid = new Set(out.map((p) => Date.parse(p.t)));
  for (const p of series) if (!grid.has(Date.parse(p.t))) out.push(p);
  return out.sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
}

/** A "nice" axis maximum and whole-number ticks from 0, one step being 1, 2 or 5 × 10^n. */
export function niceScale(max: number, tickCount = 4): { max: number; ticks: number[] } {
  if (!(max > 0)) return { max: 1, ticks: [0, 1] };
  const rough = max / tickCount;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough)!;
  const stepInt = Math.max(1, step);
  const top = Math.ceil(max / stepInt) * stepInt;
  const ticks: number[] = [];
  for (let v = 0; v <= top + 1e-9; v += stepInt) ticks.push(Math.round(v * 100) / 100);
  return { max: top, ticks };
}

/** Indexes of at most `n` evenly spread labels over `length` buckets (first and last included). */
export function labelIndexes(length: number, n: number): number[] {
  if (length <= 0) return [];
  if (length <= n) return Array.from({ length }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add(Math.round((i * (length - 1)) / (n - 1)));
  return [...out];
}

/** A one-sentence description of the series for screen readers. */
export function describeSeries(points: SeriesPoint[], label: (t: string) => string): string {
  const total = points.reduce((n, p) => n + p.actions, 0);
  const failed = points.reduce((n, p) => n + p.failed, 0);
  if (!total) return 'No actions in this period.';
  const peak = points.reduce((a, b) => (b.actions > a.actions ? b : a));
  return `${total} actions and ${failed} failures over ${points.length} intervals; the busiest interval, ${label(peak.t)}, had ${peak.actions} actions and ${peak.failed} failures.`;
}
