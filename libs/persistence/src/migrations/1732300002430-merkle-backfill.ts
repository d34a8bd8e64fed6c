import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

/**
 * Fills `merkle_backfill` with, per tenant and Kafka partition, the chain positions of the stored
 * rows that have no Merkle leaf (the lowest and the highest such `chain_seq`). `$1`: the tenants to
 * look at (uuid[]), or NULL for all. Rows of a tenant that no longer exists are left out (their
 * tree would go with the tenant). A range that is already there is kept as it is.
 */
export const MERKLE_BACKFILL_FILL_SQL = `
  INSERT INTO merkle_backfill (tenant_id, kafka_partition, next_seq, through_seq)
  SELECT e.tenant_id, e.kafka_partition, min(e.chain_seq), max(e.chain_seq)
    FROM audit_events e
    JOIN tenants t ON t.id = e.tenant_id
   WHERE ($1::uuid[] IS NULL OR e.tenant_id = ANY ($1::uuid[]))
     AND NOT EXISTS (SELECT 1 FROM merkle_leaves l WHERE l.tenant_id = e.tenant_id AND l.event_id = e.event_id)
   GROUP BY e.tenant_id, e.kafka_partition
  ON CONFLICT (tenant_id, kafka_partition) DO NOTHING`;

/**
 * Events stored before the Merkle tree existed (migration 1732300002400) have no leaf. This records,
 * once, what is missing: `merkle_backfill` holds per (tenant, partition) the range of chain positions
 * still to add, `next_seq` … `through_seq`. The projector's Merkle backfill appends those rows to the
 * tenant's tree in chunks, moves `next_seq` forward in each chunk's transaction and deletes the row
 * when its range is done (docs/proofs.md, "Backfill").
 *
 * Every row the projector stores after migration 2400 gets its leaf in its batch's transaction, so
 * the rows without a leaf are the start of each chain; a row inside a range that has a leaf anyway is
 * skipped by the backfill, never given a second one. Rows stored later are not in any range: they
 * have their leaf already.
 *
 * The fill reads every stored row once (an anti-join against `merkle_leaves`), without the statement
 * timeout. Tenants read their rows under row-level security; the projector reads, moves and deletes
 * them.
 */
export class MerkleBackfill1732300002430 implements MigrationInterface {
  name = 'MerkleBackfill1732300002430';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merkle_backfill (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        kafka_partition integer NOT NULL,
        next_seq bigint NOT NULL,
        through_seq bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, kafka_partition),
        CHECK (next_seq <= through_seq))`);
    await q.query(`SELECT ledger_enable_tenant_rls('merkle_backfill'::regclass, 'SELECT')`);
    await q.query(`SELECT ledger_grant_service('merkle_backfill'::regclass, $1, 'SELECT, UPDATE, DELETE')`, [RUNTIME_ROLES.projector]);
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(MERKLE_BACKFILL_FILL_SQL, [null]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS merkle_backfill`);
  }
}
