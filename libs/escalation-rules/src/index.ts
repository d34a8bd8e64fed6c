export { DEFAULT_SETTINGS, RULE_REASONS, resolveSettings, settingsInputSchema, type EscalationSettings, type EscalationSettingsInput, type RuleReason, type RuleSettings } from './settings';
export { evaluate, type Evaluation, type Trigger } from './evaluate';
