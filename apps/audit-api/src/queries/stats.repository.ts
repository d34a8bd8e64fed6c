/** The statistics' repository lives in libs/ledger-stats (one computation for audit-api and the notifier's reports). */
export { StatsRepository, type StatsWindow } from '@agent-ledger/ledger-stats';
