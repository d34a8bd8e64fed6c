import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `producer_sequences.prev_max_seq`: the producer's highest number before the last batch that
 * touched the row. The projector's upsert sets it from the locked row and reads it back (RETURNING
 * sees only the new row), so one statement both counts a batch and opens the gaps it skipped.
 */
export class ProducerSequencesPreviousMax1732300002410 implements MigrationInterface {
  name = 'ProducerSequencesPreviousMax1732300002410';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE producer_sequences ADD COLUMN prev_max_seq bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE producer_sequences DROP COLUMN IF EXISTS prev_max_seq`);
  }
}
