import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Administrative changes (keys, rules, channels, erasures) are recorded in the ledger itself as
 * `change.recorded` events. The event is written here in the same transaction as the change, then
 * published to Kafka by a relay; its id is the event id, so a re-publish after a crash is stored once.
 */
export class ChangeOutbox1732300000400 implements MigrationInterface {
  name = 'ChangeOutbox1732300000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE change_outbox (
        event_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX change_outbox_pending_idx ON change_outbox (created_at) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS change_outbox`);
  }
}
