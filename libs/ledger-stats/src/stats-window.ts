/** Named windows of `GET /v1/stats` (`window=`), ending now. */
export const STATS_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 } as const;
export type StatsWindowName = keyof typeof STATS_WINDOWS;
export const STATS_WINDOW_NAMES = Object.keys(STATS_WINDOWS) as [StatsWindowName, ...StatsWindowName[]];

/** The longest window a statistic covers. */
export const MAX_STATS_SPAN_MS = STATS_WINDOWS['90d'];
export const DEFAULT_STATS_WINDOW: StatsWindowName = '24h';

export type StatsBucket = 'minute' | 'hour' | 'day';

export interface StatsWindowQuery {
  from?: Date;
  to?: Date;
  window?: StatsWindowName;
  bucket?: StatsBucket;
}

export interface StatsWindow {
  from: Date;
  to: Date;
  bucket: StatsBucket;
}

/** Why a window is refused: the field at fault and what is wrong with it. */
export interface StatsWindowIssue {
  field: 'from' | 'to' | 'window';
  code: 'invalid' | 'too_long';
  message: string;
}

/** The bucket of the time series when none is asked for: about 60-360 points. */
export function defaultBucket(spanMs: number): StatsBucket {
  return spanMs <= 6 * 3_600_000 ? 'minute' : spanMs <= 14 * 86_400_000 ? 'hour' : 'day';
}

/**
 * The window [from, to) a query asks for: `from`/`to` as given (`to` defaults to now), else the
 * named `window` ending at `to` (default 24h). A span above 90 days, or `window` together with
 * `from`, is refused.
 */
export function resolveStatsWindow(q: StatsWindowQuery, now: Date = new Date()): StatsWindow | StatsWindowIssue {
  if (q.window && q.from) return { field: 'window', code: 'invalid', message: 'window and from are alternatives: give one of them' };
  const to = q.to ?? now;
  const from = q.from ?? new Date(to.getTime() - STATS_WINDOWS[q.window ?? DEFAULT_STATS_WINDOW]);
  if (from >= to) return { field: 'from', code: 'invalid', message: 'from must be before to (to defaults to now)' };
  const span = to.getTime() - from.getTime();
  if (span > MAX_STATS_SPAN_MS) return { field: 'from', code: 'too_long', message: 'the window may span at most 90 days' };
  return { from, to, bucket: q.bucket ?? defaultBucket(span) };
}

export function isWindowIssue(w: StatsWindow | StatsWindowIssue): w is StatsWindowIssue {
  return 'field' in w;
}
