export { EXACT_PERCENTILES_UP_TO, StatsRepository, type StatsRows } from './stats.repository';
export { BREAKDOWN_LIMIT, StatsService, successRates, toStatistics, type DurationFigures, type Statistics } from './stats.service';
export {
  DEFAULT_STATS_WINDOW,
  MAX_STATS_SPAN_MS,
  STATS_WINDOW_NAMES,
  STATS_WINDOWS,
  defaultBucket,
  isWindowIssue,
  resolveStatsWindow,
  type StatsBucket,
  type StatsWindow,
  type StatsWindowIssue,
  type StatsWindowName,
  type StatsWindowQuery,
} from './stats-window';
export { isTimeZone, REPORT_FREQUENCIES, REPORT_PERIOD_MS, reportCron, reportPeriod, type ReportFrequency, type ReportSchedule } from './report-schedule';
export { rollupDeltas, type RollupAction, type RollupActionChange, type RollupDeltas, type RollupEvent } from './rollups/rollup-deltas';
export { writeRollups, type RollupSql } from './rollups/rollup.writer';
