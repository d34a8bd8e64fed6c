import { SEVERITIES, TENANT_ALERT_REASONS, type EscalationReason, type RiskLevel, type Severity, type TenantAlertReason } from '@agent-ledger/contracts';
import { z } from 'zod';

/** Reasons the worker evaluates (manual escalations come from the API). */
export const RULE_REASONS = [
  'customer_request',
  'action_failed',
  'error_threshold',
  'permission_denied',
  'confirmation_timeout',
  'high_risk_unapproved',
  'budget_exceeded',
  'rate_limited',
  'session_too_long',
  'session_too_complex',
  'tenant_error_rate',
  'tenant_failure_burst',
  'tenant_tool_latency',
  'tenant_change_burst',
  'approval_mismatch',
  'unapproved_execution',
  'executed_after_rejection',
  'stuck_action',
  'events_missing',
] as const satisfies readonly EscalationReason[];
export type RuleReason = (typeof RULE_REASONS)[number];

/** Rules with `scope: tenant`: alerts over a sliding window of all the tenant's events. */
export { TENANT_ALERT_REASONS, type TenantAlertReason };

export function isTenantAlert(reason: RuleReason): reason is TenantAlertReason {
  return (TENANT_ALERT_REASONS as readonly string[]).includes(reason);
}

export interface RuleSettings {
  enabled: boolean;
  severity: Severity;
  customerMessage: string;
}

/** A tenant alert: a new crossing within `cooldownMs` of the alert's opening folds into it instead of notifying again. */
export interface TenantAlertSettings extends RuleSettings {
  scope: 'tenant';
  cooldownMs: number;
  windowMs: number;
}

export interface EscalationSettings {
  /** An open escalation quiet for longer than this is closed; a later trigger opens a new one. */
  cooldownMs: number;
  rules: {
    customer_request: RuleSettings;
    action_failed: RuleSettings & { riskLevels: RiskLevel[] };
    error_threshold: RuleSettings & { threshold: number; windowMs: number };
    permission_denied: RuleSettings;
    confirmation_timeout: RuleSettings & { timeoutMs: number };
    high_risk_unapproved: RuleSettings & { riskLevels: RiskLevel[] };
    budget_exceeded: RuleSettings;
    rate_limited: RuleSettings;
    /** Activity more than `maxDurationMs` after the session's first event (by occurredAt). */
    session_too_long: RuleSettings & { maxDurationMs: number };
    /** More than `maxEvents` events in the session (every type, each event id counted once). */
    session_too_complex: RuleSettings & { maxEvents: number };
    /** Failed / (executed + failed) above `maxErrorRatePercent` over the window, with at least `minActions` finished. */
    tenant_error_rate: TenantAlertSettings & { maxErrorRatePercent: number; minActions: number };
    /** More than `maxFailures` failed actions in the window. */
    tenant_failure_burst: TenantAlertSettings & { maxFailures: number };
    /** p95 of a tool's `durationMs` above `maxP95Ms` over the window (at least `minSamples`, the newest `maxSamples` kept). */
    tenant_tool_latency: TenantAlertSettings & { maxP95Ms: number; minSamples: number; maxSamples: number };
    /** More than `maxChanges` `change.recorded` events in the window (a minute by default). */
    tenant_change_burst: TenantAlertSettings & { maxChanges: number };
    /** The executed input's `inputHash` differs from the approved `approval.argsHash` (marked by the projector). */
    approval_mismatch: RuleSettings;
    /** Executed while an approval was required and none granted it (marked by the projector). */
    unapproved_execution: RuleSettings;
    /** Executed although the approval was rejected or expired (marked by the projector). */
    executed_after_rejection: RuleSettings;
    /**
     * An action attempted or confirmed with no terminal event before its deadline: the tool's entry in
     * `toolDeadlinesMs`, else its risk level's in `riskLevelDeadlinesMs`, else `deadlineMs`. A late
     * terminal event resolves the escalation.
     */
    stuck_action: RuleSettings & { deadlineMs: number; riskLevelDeadlinesMs: Partial<Record<RiskLevel, number>>; toolDeadlinesMs: Record<string, number> };
    /** A gap in a producer's sequence numbers still open `maxGapAgeMs` after it was seen. */
    events_missing: RuleSettings & { maxGapAgeMs: number };
  };
}

const HANDOFF = "I've connected you with a human agent who will take it from here.";
const TENANT_ALERT = {
  enabled: false,
  scope: 'tenant' as const,
  cooldownMs: 30 * 60_000,
  customerMessage: "We're seeing a problem on our side; our team has been alerted.",
};

/** Most samples a window may keep (counts and durations): what bounds the worker's memory per tenant. */
export const WINDOW_SAMPLE_CAP = 10_000;

export const DEFAULT_SETTINGS: EscalationSettings = {
  cooldownMs: 30 * 60_000,
  rules: {
    customer_request: { enabled: true, severity: 'error', customerMessage: HANDOFF },
    action_failed: { enabled: true, severity: 'error', riskLevels: ['destructive', 'critical'], customerMessage: "Something went wrong on our side; a member of our team is looking into it." },
    error_threshold: { enabled: true, severity: 'warning', threshold: 3, windowMs: 10 * 60_000, customerMessage: "I'm having trouble completing this; I've asked a colleague to help." },
    permission_denied: { enabled: true, severity: 'warning', customerMessage: "I'm not allowed to do that myself; I've asked a colleague who can." },
    confirmation_timeout: { enabled: true, severity: 'warning', timeoutMs: 15 * 60_000, customerMessage: "This needs a human's approval; I've asked someone to review it." },
    high_risk_unapproved: { enabled: true, severity: 'critical', riskLevels: ['critical'], customerMessage: 'A member of our team will review what was done.' },
    budget_exceeded: { enabled: true, severity: 'warning', customerMessage: "I've reached my limit for this request; a colleague will continue." },
    rate_limited: { enabled: true, severity: 'info', customerMessage: "I'm being slowed down right now; a colleague will follow up if needed." },
    // The rules below are off until a tenant turns them on: they are new kinds of pages.
    session_too_long: { enabled: false, severity: 'warning', maxDurationMs: 60 * 60_000, customerMessage: "This is taking longer than it should; I've asked a colleague to help." },
    session_too_complex: { enabled: false, severity: 'warning', maxEvents: 200, customerMessage: "This request has become complicated; I've asked a colleague to help." },
    tenant_error_rate: { ...TENANT_ALERT, severity: 'error', maxErrorRatePercent: 20, windowMs: 10 * 60_000, minActions: 20 },
    tenant_failure_burst: { ...TENANT_ALERT, severity: 'error', maxFailures: 20, windowMs: 5 * 60_000 },
    tenant_tool_latency: { ...TENANT_ALERT, severity: 'warning', maxP95Ms: 30_000, windowMs: 10 * 60_000, minSamples: 20, maxSamples: 200 },
    tenant_change_burst: { ...TENANT_ALERT, severity: 'warning', maxChanges: 30, windowMs: 60_000 },
    approval_mismatch: { enabled: true, severity: 'critical', customerMessage: 'A member of our team will review what was done.' },
    unapproved_execution: { enabled: true, severity: 'critical', customerMessage: 'A member of our team will review what was done.' },
    executed_after_rejection: { enabled: true, severity: 'critical', customerMessage: 'A member of our team will review what was done.' },
    stuck_action: { enabled: true, severity: 'warning', deadlineMs: 15 * 60_000, riskLevelDeadlinesMs: {}, toolDeadlinesMs: {}, customerMessage: "This is taking longer than expected; I've asked a colleague to check on it." },
    events_missing: { enabled: true, severity: 'error', maxGapAgeMs: 5 * 60_000, customerMessage: "Part of this conversation's record is missing; our team has been alerted." },
  },
};

/** Most tools `stuck_action.toolDeadlinesMs` may name. */
export const MAX_TOOL_DEADLINES = 200;

/** The deadline of an action of `tool` at `riskLevel` under the stuck_action rule. */
export function stuckDeadlineMs(rule: EscalationSettings['rules']['stuck_action'], tool?: { name: string; riskLevel: RiskLevel }): number {
  if (tool && Object.prototype.hasOwnProperty.call(rule.toolDeadlinesMs, tool.name)) return rule.toolDeadlinesMs[tool.name];
  return (tool && rule.riskLevelDeadlinesMs[tool.riskLevel]) ?? rule.deadlineMs;
}

const ms = (name: string, min: number, max: number) =>
  z.number({ invalid_type_error: `${name} must be a number of milliseconds` }).int(`${name} must be an integer`).min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`);
const risks = z.array(z.enum(['safe', 'moderate', 'destructive', 'critical'])).min(1, 'at least one risk level is required');
const base = {
  enabled: z.boolean({ invalid_type_error: 'enabled must be true or false' }).optional(),
  severity: z.enum(SEVERITIES, { errorMap: () => ({ message: `severity must be one of: ${SEVERITIES.join(', ')}` }) }).optional(),
  customerMessage: z.string().min(1, 'customerMessage must not be empty').max(1_000, 'customerMessage must be at most 1000 characters').optional(),
};
const DAY = 86_400_000;
/** Most durations a tool's latency window keeps (the p95 is taken over them on every sample). */
export const MAX_LATENCY_SAMPLES = 2_000;
const int = (name: string, min: number, max: number) =>
  z.number({ invalid_type_error: `${name} must be a number` }).int(`${name} must be an integer`).min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`);
const alert = <T extends z.ZodRawShape>(own: T) =>
  z.object({ ...base, cooldownMs: ms('cooldownMs', 1_000, 7 * DAY).optional(), windowMs: ms('windowMs', 1_000, DAY).optional(), ...own }).strict().optional();

const settingsObject = z
  .object({
    cooldownMs: ms('cooldownMs', 1_000, 7 * DAY).optional(),
    rules: z
      .object({
        customer_request: z.object(base).strict().optional(),
        action_failed: z.object({ ...base, riskLevels: risks.optional() }).strict().optional(),
        error_threshold: z.object({ ...base, threshold: z.number().int('threshold must be an integer').min(2, 'threshold must be at least 2').max(1_000, 'threshold must be at most 1000').optional(), windowMs: ms('windowMs', 1_000, DAY).optional() }).strict().optional(),
        permission_denied: z.object(base).strict().optional(),
        confirmation_timeout: z.object({ ...base, timeoutMs: ms('timeoutMs', 1_000, 7 * DAY).optional() }).strict().optional(),
        high_risk_unapproved: z.object({ ...base, riskLevels: risks.optional() }).strict().optional(),
        budget_exceeded: z.object(base).strict().optional(),
        rate_limited: z.object(base).strict().optional(),
        session_too_long: z.object({ ...base, maxDurationMs: ms('maxDurationMs', 1_000, 7 * DAY).optional() }).strict().optional(),
        session_too_complex: z.object({ ...base, maxEvents: int('maxEvents', 1, WINDOW_SAMPLE_CAP).optional() }).strict().optional(),
        tenant_error_rate: alert({
          maxErrorRatePercent: z.number({ invalid_type_error: 'maxErrorRatePercent must be a number' }).min(0, 'maxErrorRatePercent must be at least 0').lt(100, 'maxErrorRatePercent must be below 100').optional(),
          minActions: int('minActions', 1, WINDOW_SAMPLE_CAP).optional(),
        }),
        tenant_failure_burst: alert({ maxFailures: int('maxFailures', 1, WINDOW_SAMPLE_CAP - 1).optional() }),
        tenant_tool_latency: alert({
          maxP95Ms: int('maxP95Ms', 1, DAY).optional(),
          minSamples: int('minSamples', 1, MAX_LATENCY_SAMPLES).optional(),
          maxSamples: int('maxSamples', 20, MAX_LATENCY_SAMPLES).optional(),
        }),
        tenant_change_burst: alert({ maxChanges: int('maxChanges', 1, WINDOW_SAMPLE_CAP - 1).optional() }),
        approval_mismatch: z.object(base).strict().optional(),
        unapproved_execution: z.object(base).strict().optional(),
        executed_after_rejection: z.object(base).strict().optional(),
        stuck_action: z
          .object({
            ...base,
            deadlineMs: ms('deadlineMs', 1_000, 30 * DAY).optional(),
            riskLevelDeadlinesMs: z
              .object({ safe: ms('safe', 1_000, 30 * DAY).optional(), moderate: ms('moderate', 1_000, 30 * DAY).optional(), destructive: ms('destructive', 1_000, 30 * DAY).optional(), critical: ms('critical', 1_000, 30 * DAY).optional() })
              .strict()
              .optional(),
            toolDeadlinesMs: z
              .record(z.string().min(1, 'a tool name must not be empty').max(200, 'a tool name must be at most 200 characters'), ms('a tool deadline', 1_000, 30 * DAY))
              .refine((r) => Object.keys(r).length <= MAX_TOOL_DEADLINES, `at most ${MAX_TOOL_DEADLINES} tools may have their own deadline`)
              .optional(),
          })
          .strict()
          .optional(),
        events_missing: z.object({ ...base, maxGapAgeMs: ms('maxGapAgeMs', 1_000, 30 * DAY).optional() }).strict().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type EscalationSettingsInput = z.infer<typeof settingsObject>;

/** What a tenant may set (every field optional: unset fields take the defaults). */
export const settingsInputSchema = settingsObject.superRefine((input, ctx) => {
  // Checked on the effective values, so a bound set alone is compared with the other's default.
  const latency = resolveSettings(input).rules.tenant_tool_latency;
  if (latency.minSamples > latency.maxSamples) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', 'tenant_tool_latency', 'minSamples'], message: `minSamples must be at most maxSamples (${latency.maxSamples})` });
  }
});

/** The defaults with a tenant's settings over them. */
export function resolveSettings(input: EscalationSettingsInput | null | undefined, defaults: EscalationSettings = DEFAULT_SETTINGS): EscalationSettings {
  const out: EscalationSettings = JSON.parse(JSON.stringify(defaults));
  if (!input) return out;
  if (input.cooldownMs !== undefined) out.cooldownMs = input.cooldownMs;
  for (const reason of RULE_REASONS) {
    const own = input.rules?.[reason];
    if (own) Object.assign(out.rules[reason], Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)));
  }
  return out;
}
