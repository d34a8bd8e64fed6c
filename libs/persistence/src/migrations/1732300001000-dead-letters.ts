import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages a consumer could not apply, as read back from the dead-letter topics: one row per
 * dead-letter message (unique by its position in the DLQ topic, so re-reading stores nothing twice).
 * `tenant_id` is the tenant the message names when it could be read (null otherwise: only the
 * operator sees those). `message_value` holds the original bytes for replay; it is null when the
 * original was too large to travel in the DLQ topic, and the source position is then the reference.
 */
export class DeadLetters1732300001000 implements MigrationInterface {
  name = 'DeadLetters1732300001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS dead_letters (
        id               bigserial PRIMARY KEY,
        tenant_id        uuid NULL,
        consumer_group   text NOT NULL,
        source_topic     text NOT NULL,
        source_partition integer NOT NULL,
        source_offset    bigint NOT NULL,
        dlq_topic        text NOT NULL,
        dlq_partition    integer NOT NULL,
        dlq_offset       bigint NOT NULL,
        event_id         text NULL,
        event_type       text NULL,
        error_class      text NOT NULL,
        reason_code      text NOT NULL,
        reason           text NOT NULL,
        message_key      text NULL,
        message_value    bytea NULL,
        message_headers  jsonb NOT NULL DEFAULT '{}'::jsonb,
        value_bytes      integer NOT NULL,
        dead_lettered_at timestamptz NOT NULL,
        recorded_at      timestamptz NOT NULL DEFAULT now(),
        replayed_at      timestamptz NULL,
        replay_count     integer NOT NULL DEFAULT 0,
        UNIQUE (dlq_topic, dlq_partition, dlq_offset)
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS dead_letters_tenant_idx ON dead_letters (tenant_id, id DESC)`);
    // Migration 700 defines the function: tenants see their own letters, and may mark them replayed.
    await q.query(`SELECT ledger_enable_tenant_rls('dead_letters'::regclass, 'SELECT, UPDATE')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS dead_letters`);
  }
}
