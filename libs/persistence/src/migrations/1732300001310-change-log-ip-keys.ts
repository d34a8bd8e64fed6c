import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

/**
 * audit-api encrypts the requester's IP of an administrative change (`change.recorded`, `actor.ip`)
 * before the outbox, also on its system side (tenant and key administration): `agent_ledger_api`
 * gets and creates subject keys (`subject_keys`: SELECT, INSERT) like ingest.
 */
export class ChangeLogIpKeys1732300001310 implements MigrationInterface {
  name = 'ChangeLogIpKeys1732300001310';

  async up(q: QueryRunner): Promise<void> {
    const [{ available }] = await q.query(`SELECT to_regprocedure('ledger_grant_service(regclass,name,text)') IS NOT NULL AS available`);
    if (available) {
      await q.query(`SELECT ledger_grant_service('subject_keys'::regclass, $1, 'SELECT, INSERT')`, [RUNTIME_ROLES.api]);
    } else {
      await q.query(`GRANT SELECT, INSERT ON subject_keys TO ${RUNTIME_ROLES.api}`);
      await q.query(`CREATE POLICY api_subject_keys ON subject_keys TO ${RUNTIME_ROLES.api} USING (true) WITH CHECK (true)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS api_subject_keys ON subject_keys`);
    await q.query(`REVOKE SELECT, INSERT ON subject_keys FROM ${RUNTIME_ROLES.api}`);
  }
}
