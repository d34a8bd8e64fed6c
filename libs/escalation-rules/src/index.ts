export {
  DEFAULT_SETTINGS,
  MAX_LATENCY_SAMPLES,
  MAX_TOOL_DEADLINES,
  RULE_REASONS,
  TENANT_ALERT_REASONS,
  WINDOW_SAMPLE_CAP,
  isTenantAlert,
  resolveSettings,
  settingsInputSchema,
  stuckDeadlineMs,
  type EscalationSettings,
  type EscalationSettingsInput,
  type RuleReason,
  type RuleSettings,
  type TenantAlertReason,
  type TenantAlertSettings,
} from './settings';
export { evaluate, TERMINAL_ACTION_TYPES, type Evaluation, type TimerKind, type TimerStart, type Trigger } from './evaluate';
export { countAbove, errorRateAbove, latencyAbove, percentile, windowFeed, windowSummary, type WindowFeed } from './window-rules';
