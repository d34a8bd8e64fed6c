import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_events_event_idx (tenant_id, event_id)` is read by no query of the services: deduplication
 * claims event ids in `event_ids` (its primary key), and every read of `audit_events` filters by
 * action, session, time, type or another indexed column and only orders by event_id after
 * occurred_at (`audit_events_occurred_idx`). A lookup by event id still works through
 * `audit_events_occurred_idx (tenant_id, occurred_at, event_id)` (an index-only scan of the
 * tenant's rows). Each projected event inserts one random-order index entry fewer (docs/performance.md).
 */
export class DropAuditEventsEventIndex1732300002100 implements MigrationInterface {
  name = 'DropAuditEventsEventIndex1732300002100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS audit_events_event_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`CREATE INDEX IF NOT EXISTS audit_events_event_idx ON audit_events (tenant_id, event_id)`);
  }
}
