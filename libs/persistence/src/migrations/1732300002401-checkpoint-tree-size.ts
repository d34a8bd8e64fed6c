import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Merkle tree size a checkpoint signs (its `tree.size`, docs/proofs.md), as a column: the proof
 * endpoints look up the signed tree head of a given size, or the newest one, without parsing every
 * payload. NULL for checkpoints without a tree head (written before migration 2400).
 */
export class CheckpointTreeSize1732300002401 implements MigrationInterface {
  name = 'CheckpointTreeSize1732300002401';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE checkpoints ADD COLUMN tree_size bigint CHECK (tree_size >= 0)`);
    await q.query(`CREATE INDEX checkpoints_tree_size_idx ON checkpoints (tenant_id, tree_size, created_at) WHERE tree_size IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS checkpoints_tree_size_idx`);
    await q.query(`ALTER TABLE checkpoints DROP COLUMN IF EXISTS tree_size`);
  }
}
