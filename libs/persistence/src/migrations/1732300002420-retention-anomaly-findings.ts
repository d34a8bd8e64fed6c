import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RETENTION_ROLE } from './1732300001700-retention';
import { revokeService } from './service-grants';

/**
 * A purge removes the anomaly findings of the actions it removes (docs/retention.md): the retention
 * role may read and delete `action_anomaly_findings`.
 */
export class RetentionAnomalyFindings1732300002420 implements MigrationInterface {
  name = 'RetentionAnomalyFindings1732300002420';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SELECT ledger_grant_service('action_anomaly_findings'::regclass, $1, 'SELECT, DELETE')`, [RETENTION_ROLE]);
  }

  async down(q: QueryRunner): Promise<void> {
    await revokeService(q, 'action_anomaly_findings', RETENTION_ROLE);
  }
}
