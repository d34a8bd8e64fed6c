import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '@agent-ledger/persistence';

export interface SubjectEventRow {
  eventJson: string;
  occurredAt: Date;
  eventId: string;
}

/** The events that name a data subject (as `subject.id` or `actor.id`). */
@Injectable()
export class PrivacyRepository {
  constructor(private readonly db: TenantDatabase) {}

  async countEventsOf(tenantId: string, subjectId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(tenantId, `SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND (subject_id = $2 OR actor_id = $2)`, [tenantId, subjectId]);
    return row.n;
  }

  /** Pages through the subject's events in time order (keyset on occurred_at, event_id). */
  async *eventsOf(tenantId: string, subjectId: string, pageSize = 500): AsyncGenerator<SubjectEventRow[]> {
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const rows = await this.db.query<SubjectEventRow>(
        tenantId,
        `SELECT event_json AS "eventJson", occurred_at AS "occurredAt", event_id::text AS "eventId" FROM audit_events
          WHERE tenant_id = $1 AND (subject_id = $2 OR actor_id = $2)
            AND ($3::timestamptz IS NULL OR (occurred_at, event_id) > ($3::timestamptz, $4::uuid))
          ORDER BY occurred_at, event_id LIMIT $5`,
        [tenantId, subjectId, after?.at ?? null, after?.id ?? null, pageSize],
      );
      if (!rows.length) return;
      yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = { at: last.occurredAt, id: last.eventId };
    }
  }
}
