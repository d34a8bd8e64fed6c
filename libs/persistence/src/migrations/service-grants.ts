import type { QueryRunner } from 'typeorm';

/**
 * Undoes `ledger_grant_service(table, role, …)` (migration 1210) for a down(): revokes the role's
 * privileges on the table and takes the role out of the table's `service_access` policy, which is
 * re-created with the roles that remain (dropped when none does).
 */
export async function revokeService(q: QueryRunner, table: string, role: string): Promise<void> {
  await q.query(`REVOKE ALL ON ${table} FROM ${role}`);
  await q.query(
    `DO $$
     DECLARE roles text;
     BEGIN
       SELECT string_agg(quote_ident(o.rolname), ', ' ORDER BY o.rolname) INTO roles
         FROM pg_policy p JOIN pg_roles o ON o.oid = ANY (p.polroles)
        WHERE p.polrelid = '${table}'::regclass AND p.polname = 'service_access' AND o.rolname <> '${role}';
       IF NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = '${table}'::regclass AND polname = 'service_access') THEN RETURN; END IF;
       DROP POLICY service_access ON ${table};
       IF roles IS NOT NULL THEN
         EXECUTE format('CREATE POLICY service_access ON ${table} TO %s USING (true) WITH CHECK (true)', roles);
       END IF;
     END $$`,
  );
}
