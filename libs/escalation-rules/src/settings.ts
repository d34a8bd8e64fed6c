import { SEVERITIES, type EscalationReason, type RiskLevel, type Severity } from '@agent-ledger/contracts';
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
] as const satisfies readonly EscalationReason[];
export type RuleReason = (typeof RULE_REASONS)[number];

export interface RuleSettings {
  enabled: boolean;
  severity: Severity;
  customerMessage: string;
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
  };
}

const HANDOFF = "I've connected you with a human agent who will take it from here.";

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
  },
};

const ms = (name: string, min: number, max: number) =>
  z.number({ invalid_type_error: `${name} must be a number of milliseconds` }).int(`${name} must be an integer`).min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`);
const risks = z.array(z.enum(['safe', 'moderate', 'destructive', 'critical'])).min(1, 'at least one risk level is required');
const base = {
  enabled: z.boolean({ invalid_type_error: 'enabled must be true or false' }).optional(),
  severity: z.enum(SEVERITIES, { errorMap: () => ({ message: `severity must be one of: ${SEVERITIES.join(', ')}` }) }).optional(),
  customerMessage: z.string().min(1, 'customerMessage must not be empty').max(1_000, 'customerMessage must be at most 1000 characters').optional(),
};
const DAY = 86_400_000;

/** What a tenant may set (every field optional: unset fields take the defaults). */
export const settingsInputSchema = z
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
      })
      .strict()
      .optional(),
  })
  .strict();
export type EscalationSettingsInput = z.infer<typeof settingsInputSchema>;

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
