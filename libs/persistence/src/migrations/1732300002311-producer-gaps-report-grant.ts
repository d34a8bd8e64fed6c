import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';
import { revokeService } from './service-grants';

/**
 * The notifier's reports carry the statistics of `GET /v1/stats`, which count the tenant's open gaps
 * in producers' sequence numbers (migration 1732300002310): the notifier reads `producer_gaps`.
 */
export class ProducerGapsReportGrant1732300002311 implements MigrationInterface {
  name = 'ProducerGapsReportGrant1732300002311';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SELECT ledger_grant_service('producer_gaps'::regclass, $1, 'SELECT')`, [RUNTIME_ROLES.notifier]);
  }

  async down(q: QueryRunner): Promise<void> {
    await revokeService(q, 'producer_gaps', RUNTIME_ROLES.notifier);
  }
}
