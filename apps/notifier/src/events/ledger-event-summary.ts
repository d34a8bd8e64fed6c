import type { ActionEvent } from '@agent-ledger/contracts';
import type { LedgerEventSummary } from '../delivery/notification-payload';

/**
 * What a webhook tells of a ledger event, field by field from the stored event. Free-form content
 * (`input`, `output`, `metadata`, `changes`, `error.details`) and personal data (`subject.pii` and
 * `actor.ip`, sealed envelopes on the topic, and `actor.userAgent`) are left out: a subscriber
 * reads them through the API, with the scopes that allow it.
 */
export function summarizeLedgerEvent(e: ActionEvent): LedgerEventSummary {
  return {
    eventId: e.eventId,
    type: e.type,
    tenantId: e.tenantId,
    occurredAt: e.occurredAt,
    receivedAt: e.receivedAt,
    actionId: e.actionId ?? null,
    sessionId: e.sessionId ?? null,
    agent: e.agent ? { id: e.agent.id, name: e.agent.name, version: e.agent.version ?? null } : null,
    actor: e.actor ? { type: e.actor.type, id: e.actor.id } : null,
    tool: e.tool ? { name: e.tool.name, provider: e.tool.provider ?? null, riskLevel: e.tool.riskLevel } : null,
    approval: e.approval
      ? { required: e.approval.required, decision: e.approval.decision ?? null, approvedBy: e.approval.approvedBy ?? null, method: e.approval.method ?? null, decisionMs: e.approval.decisionMs ?? null }
      : null,
    durationMs: e.durationMs ?? null,
    error: e.error ? { message: e.error.message, code: e.error.code ?? null } : null,
    subjectId: e.subject?.id ?? null,
    resource: e.resource ? { type: e.resource.type, id: e.resource.id } : null,
  };
}
