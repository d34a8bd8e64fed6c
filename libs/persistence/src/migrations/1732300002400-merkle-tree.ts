import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

/**
 * One RFC 9162 Merkle tree per tenant over its events in log order (docs/proofs.md), maintained by
 * the projector in each batch's transaction.
 * - `merkle_trees`: per tenant, the tree size and root; its row is the per-tenant lock that orders
 *   the leaves of concurrent batches (different Kafka partitions of one tenant).
 * - `merkle_leaves`: per event, its leaf index and where its row is (`kafka_partition`,
 *   `chain_seq`): the proof endpoints find an event's leaf by its id.
 * - `merkle_tiles`: the tree's hashes in tiles of 256 (tlog-tiles geometry: level L holds tree level
 *   8·L); only the rightmost tile of a level grows. A tile may only be extended: an UPDATE must keep
 *   the stored hashes as its prefix, and rows are deleted only with their tenant.
 * Tenants read them under row-level security; the projector writes; audit-api reads.
 */
export class MerkleTree1732300002400 implements MigrationInterface {
  name = 'MerkleTree1732300002400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merkle_trees (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        tree_size bigint NOT NULL CHECK (tree_size >= 0),
        root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
        updated_at timestamptz NOT NULL)`);
    await q.query(`
      CREATE TABLE merkle_leaves (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        leaf_index bigint NOT NULL CHECK (leaf_index >= 0),
        kafka_partition integer NOT NULL,
        chain_seq bigint NOT NULL,
        PRIMARY KEY (tenant_id, event_id))`);
    await q.query(`
      CREATE TABLE merkle_tiles (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        level smallint NOT NULL CHECK (level >= 0),
        tile_index bigint NOT NULL CHECK (tile_index >= 0),
        hashes bytea NOT NULL CHECK (length(hashes) BETWEEN 32 AND 8192 AND length(hashes) % 32 = 0),
        PRIMARY KEY (tenant_id, level, tile_index))`);
    await q.query(`
      CREATE FUNCTION merkle_tiles_only_grow() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          -- Only with their tenant: the ON DELETE CASCADE of tenants deletes from within its trigger.
          IF pg_trigger_depth() < 2 THEN
            RAISE EXCEPTION 'merkle_tiles rows are never deleted' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN OLD;
        END IF;
        IF NEW.tenant_id <> OLD.tenant_id OR NEW.level <> OLD.level OR NEW.tile_index <> OLD.tile_index
           OR length(NEW.hashes) < length(OLD.hashes) OR substring(NEW.hashes FROM 1 FOR length(OLD.hashes)) <> OLD.hashes THEN
          RAISE EXCEPTION 'a merkle tile may only be extended' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER merkle_tiles_only_grow BEFORE UPDATE OR DELETE ON merkle_tiles FOR EACH ROW EXECUTE FUNCTION merkle_tiles_only_grow()`);
    for (const table of ['merkle_trees', 'merkle_leaves', 'merkle_tiles']) {
      await q.query(`SELECT ledger_enable_tenant_rls($1::regclass, 'SELECT')`, [table]);
      await q.query(`SELECT ledger_grant_service($1::regclass, $2, 'SELECT, INSERT, UPDATE')`, [table, RUNTIME_ROLES.projector]);
      await q.query(`SELECT ledger_grant_service($1::regclass, $2, 'SELECT')`, [table, RUNTIME_ROLES.api]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS merkle_tiles`);
    await q.query(`DROP FUNCTION IF EXISTS merkle_tiles_only_grow()`);
    await q.query(`DROP TABLE IF EXISTS merkle_leaves`);
    await q.query(`DROP TABLE IF EXISTS merkle_trees`);
  }
}
