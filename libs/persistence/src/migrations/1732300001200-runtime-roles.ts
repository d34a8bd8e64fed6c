import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database roles the services run as, one per service (docs/security.md). The migration owner
 * (whoever runs `migrate`) owns every table; these roles own nothing and get only the privileges
 * later migrations grant them. `agent_ledger_app` (row-level security, migration 700) is the sixth.
 */
export const RUNTIME_ROLES = {
  ingest: 'agent_ledger_ingest',
  projector: 'agent_ledger_projector',
  worker: 'agent_ledger_worker',
  notifier: 'agent_ledger_notifier',
  /** audit-api's system side: tenant administration, the outbox relay, operator views. */
  api: 'agent_ledger_api',
} as const;

export class RuntimeRoles1732300001200 implements MigrationInterface {
  name = 'RuntimeRoles1732300001200';

  async up(q: QueryRunner): Promise<void> {
    for (const role of Object.values(RUNTIME_ROLES)) {
      await q.query(`
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
            CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
          END IF;
        END $$`);
      await q.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const role of Object.values(RUNTIME_ROLES)) await q.query(`REVOKE USAGE ON SCHEMA public FROM ${role}`);
  }
}
