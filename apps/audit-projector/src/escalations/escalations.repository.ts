import { Injectable } from '@nestjs/common';
import type { EscalationEvent } from '@agent-ledger/contracts';
import { DataSource, type EntityManager } from '@agent-ledger/persistence';

/** Escalations and their history; every write is idempotent on the message's eventId. */
@Injectable()
export class EscalationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Applies a batch of escalation events in one transaction. */
  async apply(events: EscalationEvent[]): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      let applied = 0;
      for (const e of events) if (await this.applyOne(m, e)) applied++;
      return applied;
    });
  }

  private async applyOne(m: EntityManager, e: EscalationEvent): Promise<boolean> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO escalation_events (event_id, tenant_id, escalation_id, type, occurred_at, payload) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [e.eventId, e.tenantId, e.escalationId, e.type, e.occurredAt, JSON.stringify(e)],
    );
    if (!inserted.length) return false;
    switch (e.type) {
      case 'escalation.opened':
        await m.query(
          `INSERT INTO escalations (escalation_id, tenant_id, session_id, action_id, reason, severity, status, summary, customer_message, count,
                                    triggering_event_ids, opened_at, last_seen_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10::jsonb, $11, $11)
           ON CONFLICT (escalation_id) DO UPDATE SET summary = EXCLUDED.summary, customer_message = EXCLUDED.customer_message,
             opened_at = LEAST(escalations.opened_at, EXCLUDED.opened_at), updated_at = now()`,
          [e.escalationId, e.tenantId, e.sessionId, e.actionId ?? null, e.reason, e.severity, e.summary, e.customerMessage, e.count, JSON.stringify(e.triggeringEventIds), e.occurredAt],
        );
        break;
      case 'escalation.updated':
        await m.query(
          `UPDATE escalations SET count = GREATEST(count, $3), last_seen_at = GREATEST(last_seen_at, $4::timestamptz),
             severity = coalesce($5, severity), triggering_event_ids = triggering_event_ids || $6::jsonb, updated_at = now()
           WHERE escalation_id = $1 AND tenant_id = $2`,
          [e.escalationId, e.tenantId, e.count, e.lastSeenAt, e.severity ?? null, JSON.stringify(e.triggeringEventIds)],
        );
        break;
      case 'escalation.acknowledged':
        await m.query(
          `UPDATE escalations SET status = 'acknowledged', acknowledged_at = $3, acknowledged_by = $4, notes = coalesce($5, notes), updated_at = now()
           WHERE escalation_id = $1 AND tenant_id = $2 AND status = 'open'`,
          [e.escalationId, e.tenantId, e.occurredAt, e.acknowledgedBy, e.note ?? null],
        );
        break;
      case 'escalation.resolved':
        await m.query(
          `UPDATE escalations SET status = 'resolved', resolved_at = $3, resolved_by = $4, notes = coalesce($5, notes), updated_at = now()
           WHERE escalation_id = $1 AND tenant_id = $2 AND status <> 'resolved'`,
          [e.escalationId, e.tenantId, e.occurredAt, e.resolvedBy, e.notes ?? null],
        );
        break;
    }
    return true;
  }
}
