import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

/**
 * An `events_missing` escalation is resolved when its producer's missing events arrive
 * (docs/accountability.md): `producer_gaps.resolved_at` marks a closed, escalated gap whose producer
 * the escalation worker has handled — it resolved the producer's open `events_missing` escalation, or
 * found none open. The partial index holds only the gaps still to handle. The worker may set
 * `escalated_at` and `resolved_at`, nothing else.
 */
export class ProducerGapResolution1732300002460 implements MigrationInterface {
  name = 'ProducerGapResolution1732300002460';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE producer_gaps ADD COLUMN resolved_at timestamptz`);
    await q.query(
      `CREATE INDEX producer_gaps_unresolved_idx ON producer_gaps (tenant_id, producer_id) WHERE escalated_at IS NOT NULL AND closed_at IS NOT NULL AND resolved_at IS NULL`,
    );
    await q.query(`SELECT ledger_grant_service('producer_gaps'::regclass, $1, 'UPDATE (resolved_at)')`, [RUNTIME_ROLES.worker]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE UPDATE (resolved_at) ON producer_gaps FROM ${RUNTIME_ROLES.worker}`);
    await q.query(`DROP INDEX IF EXISTS producer_gaps_unresolved_idx`);
    await q.query(`ALTER TABLE producer_gaps DROP COLUMN IF EXISTS resolved_at`);
  }
}
