import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A letter's identity is its position in the dead-letter topic AND the time it was dead-lettered
 * (the `x-ledger-dlq-at` header, else the message timestamp): a redelivered letter matches itself,
 * while a dead-letter topic that was recreated (a new cluster, a topic deleted and created again)
 * reuses positions for other letters, which must be stored, not taken for duplicates.
 */
export class DeadLetterIdentity1732300001100 implements MigrationInterface {
  name = 'DeadLetterIdentity1732300001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_identity_idx ON dead_letters (dlq_topic, dlq_partition, dlq_offset, dead_lettered_at)`);
    await q.query(`ALTER TABLE dead_letters DROP CONSTRAINT IF EXISTS dead_letters_dlq_topic_dlq_partition_dlq_offset_key`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS dead_letters_identity_idx`);
    await q.query(`ALTER TABLE dead_letters ADD CONSTRAINT dead_letters_dlq_topic_dlq_partition_dlq_offset_key UNIQUE (dlq_topic, dlq_partition, dlq_offset)`);
  }
}
