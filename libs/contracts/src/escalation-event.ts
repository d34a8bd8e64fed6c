import { SEVERITIES, type EscalationReason, type Severity } from './vocabulary';

export { ESCALATION_REASONS, escalationScopeOf, SEVERITIES, TENANT_ALERT_REASONS, type EscalationReason, type Severity, type TenantAlertReason } from './vocabulary';

/** Higher is more severe: critical 3, error 2, warning 1, info 0. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(severity);
}

/** Whether `severity` is `threshold` or more severe (e.g. a channel that wants `error` and above). */
export function isSeverityAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

export const ESCALATION_EVENT_TYPES = [
  'escalation.opened',
  'escalation.updated',
  'escalation.acknowledged',
  'escalation.resolved',
] as const;
export type EscalationEventType = (typeof ESCALATION_EVENT_TYPES)[number];

/** Limits of escalation events (characters; items for triggeringEventIds). */
export const ESCALATION_EVENT_LIMITS = {
  textMaxLength: 4_000,
  triggeringEventIdsMaxItems: 100,
} as const;

/**
 * What an escalation is about: one conversation (`session`, the default when absent) or the whole
 * tenant (`tenant`: an alert over a window of the tenant's events, e.g. its error rate).
 */
export const ESCALATION_SCOPES = ['session', 'tenant'] as const;
export type EscalationScope = (typeof ESCALATION_SCOPES)[number];

/** Prefix of the session id a tenant-scope escalation carries (it has no conversation). */
export const TENANT_SCOPE_SESSION_PREFIX = 'tenant:';

/**
 * The session id of a tenant-scope alert: `tenant:<reason>`, or `tenant:<reason>:<tool>` for an
 * alert per tool. One id per alert keeps its events in order on one partition and gives it its own
 * open escalation. A tool name that would make the id longer than 200 characters is cut and
 * suffixed with a hash of the whole name, so two long names stay apart.
 */
export function tenantScopeSessionId(reason: EscalationReason, tool?: string): string {
  const base = `${TENANT_SCOPE_SESSION_PREFIX}${reason}`;
  if (tool === undefined) return base;
  const full = `${base}:${tool}`;
  if (full.length <= 200) return full;
  const tail = `~${hash53(tool)}`;
  return full.slice(0, 200 - tail.length) + tail;
}

/** A 53-bit string hash (cyrb53) in base 36: no imports, so the dashboard's bundle can share this file. */
function hash53(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** Fields every escalation event carries. Escalations are keyed by tenant and session. */
export interface EscalationEventBase {
  type: EscalationEventType;
  /** Id of this message (lowercase UUID), the consumers' idempotency key. */
  eventId: string;
  /** Id of the escalation (lowercase UUID), shared by all its events. */
  escalationId: string;
  tenantId: string;
  /** The conversation; for a tenant-scope escalation, {@link tenantScopeSessionId}. */
  sessionId: string;
  /** Absent means `session` (every event before tenant-wide alerts existed). */
  scope?: EscalationScope;
  /** RFC 3339. */
  occurredAt: string;
}

/** A new escalation: one open escalation per (tenant, session, reason). */
export interface EscalationOpenedEvent extends EscalationEventBase {
  type: 'escalation.opened';
  actionId?: string;
  reason: EscalationReason;
  severity: Severity;
  /** For the people handling it. */
  summary: string;
  /** What the agent can show the customer. */
  customerMessage: string;
  /** The action events that triggered it (empty for a manual escalation). */
  triggeringEventIds: string[];
  /** Triggers folded into it so far (≥ 1). */
  count: number;
}

/** A repeat within the cooldown, folded into the open escalation. */
export interface EscalationUpdatedEvent extends EscalationEventBase {
  type: 'escalation.updated';
  actionId?: string;
  reason: EscalationReason;
  /** Set when the repeat changes the severity. */
  severity?: Severity;
  /** Total triggers folded into the escalation, this repeat included. */
  count: number;
  /** RFC 3339 time of the latest trigger. */
  lastSeenAt: string;
  /** The action events folded in by this update. */
  triggeringEventIds: string[];
}

export interface EscalationAcknowledgedEvent extends EscalationEventBase {
  type: 'escalation.acknowledged';
  acknowledgedBy: string;
  note?: string;
}

export interface EscalationResolvedEvent extends EscalationEventBase {
  type: 'escalation.resolved';
  resolvedBy: string;
  notes?: string;
}

/** What `agent-ledger.escalations.v1` carries. */
export type EscalationEvent = EscalationOpenedEvent | EscalationUpdatedEvent | EscalationAcknowledgedEvent | EscalationResolvedEvent;
