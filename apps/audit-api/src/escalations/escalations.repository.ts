import { Injectable } from '@nestjs/common';
import { TENANT_ALERT_REASONS } from '@agent-ledger/contracts';
import { TenantDatabase, type EntityManager } from '@agent-ledger/persistence';
import { Where } from '../queries/query-filters';

export interface EscalationRow {
  escalation_id: string;
  session_id: string;
  action_id: string | null;
  reason: string;
  severity: string;
  status: string;
  summary: string;
  customer_message: string;
  count: number;
  triggering_event_ids: string[];
  opened_at: Date;
  last_seen_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  notes: string | null;
}

export interface EscalationFilter {
  status?: string;
  reason?: string;
  sessionId?: string;
  scope?: 'session' | 'tenant';
  from?: Date;
  to?: Date;
}

const COLUMNS = `escalation_id::text AS escalation_id, session_id, action_id, reason, severity, status, summary, customer_message, count,
  triggering_event_ids, opened_at, last_seen_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, notes`;

/** Escalations (projected from the escalations topic) and rule settings, in the tenant's scope. */
@Injectable()
export class EscalationsRepository {
  constructor(private readonly db: TenantDatabase) {}

  async list(tenantId: string, f: EscalationFilter, limit: number, before?: { at: string; id: string }): Promise<EscalationRow[]> {
    const w = new Where('tenant_id', tenantId);
    if (f.status) w.add('status = ?', f.status);
    if (f.reason) w.add('reason = ?', f.reason);
    if (f.sessionId) w.add('session_id = ?', f.sessionId);
    if (f.scope === 'tenant') w.add('reason = ANY(?::text[])', [...TENANT_ALERT_REASONS]);
    if (f.scope === 'session') w.add('reason <> ALL(?::text[])', [...TENANT_ALERT_REASONS]);
    if (f.from) w.add('opened_at >= ?', f.from);
    if (f.to) w.add('opened_at < ?', f.to);
    if (before) w.add('(opened_at, escalation_id) < (?::timestamptz, ?::uuid)', before.at, before.id);
    return this.db.query<EscalationRow>(tenantId, `SELECT ${COLUMNS} FROM escalations WHERE ${w} ORDER BY opened_at DESC, escalation_id DESC LIMIT ${w.param(limit)}`, w.params);
  }

  async find(tenantId: string, escalationId: string): Promise<EscalationRow | undefined> {
    const [row] = await this.db.query<EscalationRow>(tenantId, `SELECT ${COLUMNS} FROM escalations WHERE tenant_id = $1 AND escalation_id = $2`, [tenantId, escalationId]);
    return row;
  }

  async history(tenantId: string, escalationId: string): Promise<{ event_id: string; type: string; occurred_at: Date; payload: Record<string, unknown> }[]> {
    return this.db.query(
      tenantId,
      `SELECT event_id::text AS event_id, type, occurred_at, payload FROM escalation_events WHERE tenant_id = $1 AND escalation_id = $2 ORDER BY occurred_at, recorded_at`,
      [tenantId, escalationId],
    );
  }

  async bySession(tenantId: string, sessionId: string): Promise<EscalationRow[]> {
    return this.db.query<EscalationRow>(tenantId, `SELECT ${COLUMNS} FROM escalations WHERE tenant_id = $1 AND session_id = $2 ORDER BY opened_at DESC`, [tenantId, sessionId]);
  }

  async storedSettings(tenantId: string): Promise<unknown | undefined> {
    const [row] = await this.db.query<{ settings: unknown }>(tenantId, `SELECT settings FROM escalation_rules WHERE tenant_id = $1`, [tenantId]);
    return row?.settings;
  }

  /** Replaces the settings in the caller's transaction; returns what was stored before. */
  async saveSettings(manager: EntityManager, tenantId: string, settings: unknown): Promise<unknown | undefined> {
    const [before] = await manager.query(`SELECT settings FROM escalation_rules WHERE tenant_id = $1 FOR UPDATE`, [tenantId]);
    await manager.query(
      `INSERT INTO escalation_rules (tenant_id, settings, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
      [tenantId, JSON.stringify(settings)],
    );
    return before?.settings;
  }

  transaction<T>(tenantId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.run(tenantId, work);
  }
}
