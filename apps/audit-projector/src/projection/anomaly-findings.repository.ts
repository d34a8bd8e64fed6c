import { Injectable } from '@nestjs/common';
import { ESCALATED_ANOMALY_CODES, type EscalatedAnomalyCode } from '@agent-ledger/contracts';
import type { ActionChange } from './action-change';
import { actionKey } from './actions.repository';
import type { AcceptedMessage } from './event-intake';
import { cmp, type ProjectionTransaction } from './projection.repository';

/** One `action_anomaly_findings` row to insert. */
export interface AnomalyFinding {
  tenantId: string;
  actionId: string;
  sessionId: string | null;
  code: EscalatedAnomalyCode;
  description: string;
  /** The last event of the action in the batch that raised the code. */
  triggerEventId: string;
}

const ESCALATED: ReadonlySet<string> = new Set(ESCALATED_ANOMALY_CODES);

/**
 * The findings a batch raised: each escalated anomaly code on an action's row after the batch that
 * was not on it before (a code never leaves a row: anomalies come from the set of events).
 */
export function newAnomalyFindings(changes: readonly ActionChange[], events: readonly AcceptedMessage[]): AnomalyFinding[] {
  const lastEvent = new Map<string, string>();
  for (const a of events) if (a.columns.actionId !== null) lastEvent.set(actionKey(a.event.tenantId, a.columns.actionId), a.event.eventId);
  const findings: AnomalyFinding[] = [];
  for (const c of changes) {
    const had = new Set(c.before?.anomalies.map((a) => a.code));
    for (const anomaly of c.after.anomalies) {
      if (!ESCALATED.has(anomaly.code) || had.has(anomaly.code)) continue;
      const triggerEventId = lastEvent.get(actionKey(c.tenantId, c.actionId));
      if (triggerEventId === undefined) continue; // a change always comes from an event of the batch
      findings.push({ tenantId: c.tenantId, actionId: c.actionId, sessionId: c.after.sessionId, code: anomaly.code as EscalatedAnomalyCode, description: anomaly.description, triggerEventId });
    }
  }
  return findings;
}

/**
 * Writes the batch's new anomaly findings in its transaction (after the `actions` rows), where the
 * escalation worker finds them (apps/escalation-worker action-anomaly.source.ts). A finding stored
 * before is left as it is.
 */
@Injectable()
export class AnomalyFindingsRepository {
  async record(tx: Pick<ProjectionTransaction, 'rows'>, changes: readonly ActionChange[], events: readonly AcceptedMessage[]): Promise<number> {
    const findings = newAnomalyFindings(changes, events).sort((a, b) => cmp(a.tenantId, b.tenantId) || cmp(a.actionId, b.actionId) || cmp(a.code, b.code));
    if (!findings.length) return 0;
    const rows = await tx.rows<{ id: string }>(
      `INSERT INTO action_anomaly_findings (tenant_id, action_id, session_id, code, description, trigger_event_id)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[])
       ON CONFLICT (tenant_id, action_id, code) DO NOTHING
       RETURNING id::text AS id`,
      [
        findings.map((f) => f.tenantId),
        findings.map((f) => f.actionId),
        findings.map((f) => f.sessionId),
        findings.map((f) => f.code),
        findings.map((f) => f.description),
        findings.map((f) => f.triggerEventId),
      ],
    );
    return rows.length;
  }
}
