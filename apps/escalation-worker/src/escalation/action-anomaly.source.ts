import { Injectable } from '@nestjs/common';
import type { EscalatedAnomalyCode } from '@agent-ledger/contracts';
import { DataSource } from '@agent-ledger/persistence';
import type { Finding, FindingSource } from './finding-source';

interface FindingRow {
  id: string;
  tenant_id: string;
  action_id: string;
  session_id: string | null;
  code: EscalatedAnomalyCode;
  description: string;
  trigger_event_id: string;
}

/**
 * The action anomalies the projector stored (`action_anomaly_findings`: approval_mismatch,
 * unapproved_execution, executed_after_rejection), each due at once. The escalation's reason is the
 * code; its session is the action's, or `action:<actionId>` for an action without one; its trigger is
 * the event that raised the finding (one finding per action and code, and the code is the reason: no
 * two findings share a trigger within one escalation).
 */
@Injectable()
export class ActionAnomalySource implements FindingSource {
  readonly name = 'action_anomaly';

  constructor(private readonly dataSource: DataSource) {}

  async due(limit: number): Promise<Finding[]> {
    const rows: FindingRow[] = await this.dataSource.query(
      `SELECT id::text AS id, tenant_id::text AS tenant_id, action_id, session_id, code, description, trigger_event_id::text AS trigger_event_id
         FROM action_anomaly_findings f WHERE escalated_at IS NULL ORDER BY f.id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      key: r.id,
      fire: {
        tenantId: r.tenant_id,
        sessionId: r.session_id ?? `action:${r.action_id}`,
        actionId: r.action_id,
        reason: r.code,
        summary: `Action ${r.action_id}: ${r.description}`,
        triggerId: r.trigger_event_id,
      },
    }));
  }

  async markHandled(findings: readonly Finding[]): Promise<void> {
    if (!findings.length) return;
    await this.dataSource.query(`UPDATE action_anomaly_findings SET escalated_at = now() WHERE id = ANY($1::bigint[]) AND escalated_at IS NULL`, [findings.map((f) => f.key)]);
  }
}
