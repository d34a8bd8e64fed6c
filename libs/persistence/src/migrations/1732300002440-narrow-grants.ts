import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

/** The tables whose rows the escalation worker only marks handled (`escalated_at`). */
const MARKED_BY_WORKER = ['action_anomaly_findings', 'producer_gaps'] as const;

/**
 * Narrower grants, to what the services' SQL does (docs/security.md):
 * - the projector only appends Merkle leaves (`merkle_leaves`: SELECT, INSERT; no UPDATE): a leaf,
 *   once written, is never moved to another index or row;
 * - the escalation worker only sets `escalated_at` on `action_anomaly_findings` and `producer_gaps`
 *   (column-level UPDATE; it keeps SELECT, and SELECT … FOR UPDATE needs UPDATE on one column).
 * The `service_access` policies keep their roles: `ledger_grant_service` re-creates them with the
 * roles already on them.
 */
export class NarrowGrants1732300002440 implements MigrationInterface {
  name = 'NarrowGrants1732300002440';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE UPDATE ON merkle_leaves FROM ${RUNTIME_ROLES.projector}`);
    for (const table of MARKED_BY_WORKER) {
      // Revoking the table's UPDATE revokes its column UPDATEs too; the one column is granted back.
      await q.query(`REVOKE UPDATE ON ${table} FROM ${RUNTIME_ROLES.worker}`);
      await q.query(`SELECT ledger_grant_service($1::regclass, $2, 'SELECT, UPDATE (escalated_at)')`, [table, RUNTIME_ROLES.worker]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of MARKED_BY_WORKER) {
      await q.query(`REVOKE UPDATE (escalated_at) ON ${table} FROM ${RUNTIME_ROLES.worker}`);
      await q.query(`SELECT ledger_grant_service($1::regclass, $2, 'SELECT, UPDATE')`, [table, RUNTIME_ROLES.worker]);
    }
    await q.query(`SELECT ledger_grant_service('merkle_leaves'::regclass, $1, 'SELECT, INSERT, UPDATE')`, [RUNTIME_ROLES.projector]);
  }
}
