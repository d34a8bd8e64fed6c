import type { EscalationEvent, EscalationReason, EventType, RiskLevel, Severity } from '@agent-ledger/contracts';
import type { ReportNotice } from '../reports/report-notice';

/** What the notifier knows of an escalation beyond one event (from its `escalation.opened`). */
export interface EscalationContext {
  reason: EscalationReason;
  severity: Severity;
  summary: string;
  sessionId: string;
  actionId?: string;
  openedAt: string;
}

/** A notification about one escalation event: stored with each delivery, rendered per channel. */
export interface EscalationNotice {
  kind: 'escalation';
  tenant: { id: string; name: string };
  event: EscalationEvent;
  /** Absent when the notifier never saw the escalation open (e.g. it opened before the notifier ran). */
  context?: EscalationContext;
  /** `${LEDGER_DASHBOARD_URL}/escalations/<id>`. */
  link: string;
}

/** Told to the tenant's email recipients when one of its webhook endpoints was disabled. */
export interface EndpointDisabledNotice {
  kind: 'endpoint.disabled';
  tenant: { id: string; name: string };
  endpoint: { id: string; url: string };
  /** `gone`: it answered 410; `failing`: it failed without a break for the configured period. */
  cause: 'gone' | 'failing';
  disabledAt: string;
  failingSince?: string;
  lastError?: string;
  link: string;
}

/** What email renders: escalation notices, endpoint disablements and scheduled reports. */
export type NotificationPayload = EscalationNotice | EndpointDisabledNotice | ReportNotice;

/**
 * A ledger event as a webhook announces it: its identifying and describing fields only. Free-form
 * content (`input`, `output`, `metadata`, `changes`, `error.details`) and personal data
 * (`subject.pii`, `actor.ip`, `actor.userAgent`, sealed on the topic) are never copied here.
 */
export interface LedgerEventSummary {
  eventId: string;
  type: EventType;
  tenantId: string;
  occurredAt: string;
  receivedAt: string;
  actionId: string | null;
  sessionId: string | null;
  agent: { id: string; name: string; version: string | null } | null;
  actor: { type: string; id: string } | null;
  tool: { name: string; provider: string | null; riskLevel: RiskLevel } | null;
  approval: { required: boolean; decision: string | null; approvedBy: string | null; method: string | null; decisionMs: number | null } | null;
  durationMs: number | null;
  error: { message: string; code: string | null } | null;
  subjectId: string | null;
  resource: { type: string; id: string } | null;
}

/** A ledger event a webhook's filter asked for: stored with its delivery, rendered per format. */
export interface LedgerEventNotice {
  kind: 'event';
  tenant: { id: string; name: string };
  event: LedgerEventSummary;
  /** `${LEDGER_DASHBOARD_URL}/actions/<actionId>` for an action's event, else the dashboard's overview. */
  link: string;
}

/** What a delivery row holds; email deliveries hold only {@link NotificationPayload}. */
export type DeliveryPayload = NotificationPayload | LedgerEventNotice;

const REASON_LABELS: Record<EscalationReason, string> = {
  customer_request: 'customer asked for a human',
  action_failed: 'high-risk action failed',
  error_threshold: 'repeated failures in a session',
  permission_denied: 'permission denied',
  confirmation_timeout: 'action not confirmed in time',
  high_risk_unapproved: 'critical action executed without approval',
  budget_exceeded: 'budget exceeded',
  rate_limited: 'rate limited',
  session_too_long: 'conversation running too long',
  session_too_complex: 'conversation too complex',
  tenant_error_rate: 'error rate above the bound',
  tenant_failure_burst: 'burst of failures',
  tenant_tool_latency: 'tool slower than its bound',
  tenant_change_burst: 'burst of changes',
  approval_mismatch: 'executed input differs from the approved one',
  unapproved_execution: 'executed without a required approval',
  executed_after_rejection: 'executed after its approval was rejected',
  stuck_action: 'action did not finish before its deadline',
  events_missing: "events missing from an agent's sequence",
  manual: 'opened manually',
};

const EVENT_LABELS: Record<EscalationEvent['type'], string> = {
  'escalation.opened': 'opened',
  'escalation.updated': 'updated',
  'escalation.acknowledged': 'acknowledged',
  'escalation.resolved': 'resolved',
};

export function reasonLabel(reason: EscalationReason): string {
  return REASON_LABELS[reason] ?? reason;
}

/** The facts of an escalation notice as labelled rows, in display order (the same for every channel). */
export interface EscalationView {
  /** e.g. `CRITICAL escalation opened: customer asked for a human`. */
  title: string;
  severity?: Severity;
  reason?: EscalationReason;
  summary?: string;
  fields: [label: string, value: string][];
  link: string;
}

export function viewOf(n: EscalationNotice): EscalationView {
  const e = n.event;
  const reason = 'reason' in e ? e.reason : n.context?.reason;
  const severity = ('severity' in e && e.severity) || n.context?.severity;
  const summary = e.type === 'escalation.opened' ? e.summary : n.context?.summary;
  const actionId = ('actionId' in e && e.actionId) || n.context?.actionId;
  const fields: [string, string][] = [
    ['Tenant', `${n.tenant.name} (${n.tenant.id})`],
    ['Reason', reason ? `${reasonLabel(reason)} (${reason})` : 'unknown'],
    ['Severity', severity ?? 'unknown'],
    ['Session', e.sessionId],
    ['Action', actionId ?? '—'],
  ];
  if (summary) fields.push(['Summary', summary]);
  if (e.type === 'escalation.opened' || e.type === 'escalation.updated') fields.push(['Occurrences', String(e.count)]);
  if (e.type === 'escalation.acknowledged') fields.push(['Acknowledged by', e.acknowledgedBy], ...(e.note ? ([['Note', e.note]] as [string, string][]) : []));
  if (e.type === 'escalation.resolved') fields.push(['Resolved by', e.resolvedBy], ...(e.notes ? ([['Notes', e.notes]] as [string, string][]) : []));
  if (e.type === 'escalation.opened') fields.push(['Customer message', e.customerMessage]);
  fields.push(['Escalation', e.escalationId], ['At', e.occurredAt]);
  const title = `${severity ? severity.toUpperCase() + ' ' : ''}escalation ${EVENT_LABELS[e.type]}${reason ? `: ${reasonLabel(reason)}` : ''}`;
  return { title, severity, reason, summary, fields, link: n.link };
}
