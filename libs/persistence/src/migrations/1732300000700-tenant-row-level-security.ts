import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The database role audit-api's tenant-scoped endpoints use; row-level security applies to it. */
export const TENANT_APP_ROLE = 'agent_ledger_app';

/**
 * Tables holding one tenant's data, and what the application role may do with them. Tables added
 * later call `ledger_enable_tenant_rls` in their own migration.
 */
const TENANT_TABLES: [table: string, privileges: string][] = [
  ['audit_events', 'SELECT'],
  ['actions', 'SELECT'],
  ['event_ids', 'SELECT'],
  ['chain_heads', 'SELECT'],
  ['checkpoints', 'SELECT'],
  ['subject_keys', 'SELECT, INSERT, UPDATE'],
  ['change_outbox', 'SELECT, INSERT'],
  ['api_keys', 'SELECT'],
  // Added by the escalation and notification migrations, when present.
  ['escalations', 'SELECT'],
  ['escalation_events', 'SELECT'],
  ['escalation_rules', 'SELECT, INSERT, UPDATE'],
  ['notification_channels', 'SELECT, INSERT, UPDATE, DELETE'],
  ['webhook_endpoints', 'SELECT, INSERT, UPDATE, DELETE'],
  ['deliveries', 'SELECT, INSERT, UPDATE'],
  ['delivery_attempts', 'SELECT'],
  ['notification_escalations', 'SELECT'],
];

/**
 * Row-level security as a second wall behind the application's tenant filter: the role
 * `agent_ledger_app` sees and writes only rows whose tenant_id equals the transaction's
 * `app.tenant_id` setting — without that setting, nothing. The owner (migrations, projector,
 * the system side of audit-api) is not subject to it.
 */
export class TenantRowLevelSecurity1732300000700 implements MigrationInterface {
  name = 'TenantRowLevelSecurity1732300000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${TENANT_APP_ROLE}') THEN
          CREATE ROLE ${TENANT_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${TENANT_APP_ROLE}`);
    await q.query(`GRANT SELECT ON tenants TO ${TENANT_APP_ROLE}`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_current_tenant() RETURNS uuid LANGUAGE sql STABLE AS $$
        SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_enable_tenant_rls(tbl regclass, privileges text, tenant_column text DEFAULT 'tenant_id') RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('GRANT %s ON %s TO ${TENANT_APP_ROLE}', privileges, tbl);
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
        EXECUTE format(
          'CREATE POLICY tenant_isolation ON %s TO ${TENANT_APP_ROLE} USING (%I = ledger_current_tenant()) WITH CHECK (%I = ledger_current_tenant())',
          tbl, tenant_column, tenant_column);
      END $$`);
    await q.query(`SELECT ledger_enable_tenant_rls('tenants', 'SELECT', 'id')`);
    for (const [table, privileges] of TENANT_TABLES) {
      await q.query(`SELECT ledger_enable_tenant_rls(to_regclass($1::text), $2::text) WHERE to_regclass($1::text) IS NOT NULL`, [table, privileges]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of [['tenants'], ...TENANT_TABLES]) {
      await q.query(`
        DO $$ BEGIN
          IF to_regclass('${table}') IS NOT NULL THEN
            EXECUTE 'DROP POLICY IF EXISTS tenant_isolation ON ${table}';
            EXECUTE 'ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY';
            EXECUTE 'REVOKE ALL ON ${table} FROM ${TENANT_APP_ROLE}';
          END IF;
        END $$`);
    }
    await q.query(`DROP FUNCTION IF EXISTS ledger_enable_tenant_rls(regclass, text, text)`);
    await q.query(`DROP FUNCTION IF EXISTS ledger_current_tenant()`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM ${TENANT_APP_ROLE}`);
  }
}
