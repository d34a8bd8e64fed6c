import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

/**
 * PII encrypted before Kafka (docs/privacy.md): API keys may carry the `pii` scope (PII in clear to
 * readers; without it PII reads as redacted), and ingest gets and creates subject keys
 * (`subject_keys`: SELECT, INSERT, no UPDATE or DELETE; erasure stays with audit-api).
 */
export class PiiScope1732300001300 implements MigrationInterface {
  name = 'PiiScope1732300001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest','read','admin','pii'])`);

    const [{ available }] = await q.query(`SELECT to_regprocedure('ledger_grant_service(regclass,name,text)') IS NOT NULL AS available`);
    if (available) {
      // The grant and the role's place in the table's service_access policy (row-level security).
      await q.query(`SELECT ledger_grant_service('subject_keys'::regclass, $1, 'SELECT, INSERT')`, [RUNTIME_ROLES.ingest]);
    } else {
      await q.query(`GRANT SELECT, INSERT ON subject_keys TO ${RUNTIME_ROLES.ingest}`);
      await q.query(`CREATE POLICY ingest_subject_keys ON subject_keys TO ${RUNTIME_ROLES.ingest} USING (true) WITH CHECK (true)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS ingest_subject_keys ON subject_keys`);
    await q.query(`REVOKE SELECT, INSERT ON subject_keys FROM ${RUNTIME_ROLES.ingest}`);
    await q.query(`UPDATE api_keys SET scopes = array_remove(scopes, 'pii') WHERE 'pii' = ANY (scopes) AND cardinality(scopes) > 1`);
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest','read','admin'])`);
  }
}
