import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `merkle_leaves` gets one row per stored event, in the projector's batch transaction. Its foreign key
 * to `tenants` checked every inserted row (a trigger per row): about 40 % of the leaves' insert time
 * (docs/performance.md). The other per-event tables (`audit_events`, `event_ids`) have no such key
 * either: the projector writes rows only for tenants it has checked in the same transaction, and
 * tenants are never deleted by the services. The tenant-level tables of the tree (`merkle_trees`,
 * `merkle_tiles`) keep theirs.
 */
export class MerkleLeavesWithoutTenantKey1732300002450 implements MigrationInterface {
  name = 'MerkleLeavesWithoutTenantKey1732300002450';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merkle_leaves DROP CONSTRAINT IF EXISTS merkle_leaves_tenant_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM merkle_leaves l WHERE NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = l.tenant_id)`);
    await q.query(`ALTER TABLE merkle_leaves ADD CONSTRAINT merkle_leaves_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE`);
  }
}
