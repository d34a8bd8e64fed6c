import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The live stream (`GET /v1/stream`) pages a tenant's rows in recording order — (recorded_at,
 * kafka_partition, chain_seq) after a position — and polls for new ones every half second. This
 * index lets each page and each poll read only the rows it returns instead of every row of the
 * tenant since the start point.
 */
export class AuditEventsRecordingOrderIndex1732300001600 implements MigrationInterface {
  name = 'AuditEventsRecordingOrderIndex1732300001600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS audit_events_recording_order_idx ON audit_events (tenant_id, recorded_at, kafka_partition, chain_seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS audit_events_recording_order_idx`);
  }
}
