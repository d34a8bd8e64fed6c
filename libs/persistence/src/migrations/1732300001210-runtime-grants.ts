import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

type Role = (typeof RUNTIME_ROLES)[keyof typeof RUNTIME_ROLES];

/**
 * What each service's SQL needs, and nothing more (docs/security.md has the same table). No role gets
 * UPDATE, DELETE or TRUNCATE on audit_events or checkpoints, and none owns a table, so none can
 * disable a trigger, detach or drop a partition. `agent_ledger_app` (audit-api's tenant-scoped side)
 * keeps what migration 700 grants it.
 */
export const RUNTIME_GRANTS: Record<Role, [table: string, privileges: string][]> = {
  // API key lookup, the tenant's redaction patterns.
  [RUNTIME_ROLES.ingest]: [
    ['tenants', 'SELECT'],
    ['api_keys', 'SELECT'],
  ],
  [RUNTIME_ROLES.projector]: [
    ['tenants', 'SELECT'],
    ['audit_events', 'SELECT, INSERT'],
    ['event_ids', 'SELECT, INSERT'],
    ['actions', 'SELECT, INSERT, UPDATE'],
    ['chain_heads', 'SELECT, INSERT, UPDATE'],
    ['consumer_offsets', 'SELECT, INSERT, UPDATE'],
    ['checkpoints', 'SELECT, INSERT'],
    ['subject_keys', 'SELECT, INSERT'],
    ['escalations', 'SELECT, INSERT, UPDATE'],
    ['escalation_events', 'SELECT, INSERT'],
    ['dead_letters', 'SELECT, INSERT'],
  ],
  // Each tenant's escalation rule settings.
  [RUNTIME_ROLES.worker]: [['escalation_rules', 'SELECT']],
  [RUNTIME_ROLES.notifier]: [
    ['tenants', 'SELECT'],
    ['notification_channels', 'SELECT'],
    ['webhook_endpoints', 'SELECT, UPDATE'],
    ['notification_escalations', 'SELECT, INSERT, UPDATE'],
    ['deliveries', 'SELECT, INSERT, UPDATE'],
    ['delivery_attempts', 'INSERT'],
  ],
  // Tenant and key administration, API key lookup, the change outbox's relay, operator dead letters.
  [RUNTIME_ROLES.api]: [
    ['tenants', 'SELECT, INSERT'],
    ['api_keys', 'SELECT, INSERT, UPDATE'],
    ['change_outbox', 'SELECT, INSERT, UPDATE'],
    ['dead_letters', 'SELECT, UPDATE'],
  ],
};

/** Sequences behind bigserial defaults (identity columns need no grant). */
const SEQUENCES: [sequence: string, role: Role][] = [
  ['dead_letters_id_seq', RUNTIME_ROLES.projector],
  ['delivery_attempts_id_seq', RUNTIME_ROLES.notifier],
];

/**
 * Least privilege for the service roles: the grants above; a `service_access` policy on every table
 * under row-level security for the roles granted on it (grants are the limit, the policy only lets
 * them past row-level security); `ensure_audit_events_partition` runs as its owner and only the
 * projector may call it; every partition of audit_events refuses TRUNCATE (the parent's trigger does
 * not fire for a partition truncated by name); checkpoints are append-only like audit_events.
 */
export class RuntimeGrants1732300001210 implements MigrationInterface {
  name = 'RuntimeGrants1732300001210';

  async up(q: QueryRunner): Promise<void> {
    // Later migrations grant a service through this: the privileges, and the role added to the table's policy.
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_grant_service(tbl regclass, role name, privileges text) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        roles text;
      BEGIN
        EXECUTE format('GRANT %s ON %s TO %I', privileges, tbl, role);
        IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = tbl) THEN RETURN; END IF;
        SELECT string_agg(DISTINCT quote_ident(r), ', ') INTO roles
          FROM (SELECT rolname AS r FROM pg_policy p JOIN pg_roles o ON o.oid = ANY (p.polroles)
                 WHERE p.polrelid = tbl AND p.polname = 'service_access'
                UNION SELECT role) all_roles;
        EXECUTE format('DROP POLICY IF EXISTS service_access ON %s', tbl);
        EXECUTE format('CREATE POLICY service_access ON %s TO %s USING (true) WITH CHECK (true)', tbl, roles);
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION ledger_grant_service(regclass, name, text) FROM PUBLIC`);
    for (const [role, grants] of Object.entries(RUNTIME_GRANTS)) {
      for (const [table, privileges] of grants) await q.query(`SELECT ledger_grant_service($1::regclass, $2, $3)`, [table, role, privileges]);
    }
    for (const [sequence, role] of SEQUENCES) await q.query(`GRANT USAGE ON SEQUENCE ${sequence} TO ${role}`);

    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_reject_mutation() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ensure_audit_events_partition(month_start date) RETURNS text
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        part text := format('audit_events_%s', to_char(month_start, 'YYYY_MM'));
        lo date := date_trunc('month', month_start)::date;
        hi date := (date_trunc('month', month_start) + interval '1 month')::date;
      BEGIN
        IF to_regclass(part) IS NULL THEN
          EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
          EXECUTE format('CREATE TRIGGER audit_events_partition_no_truncate BEFORE TRUNCATE ON %I
                          FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_mutation()', part);
        END IF;
        RETURN part;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION ensure_audit_events_partition(date) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION ensure_audit_events_partition(date) TO ${RUNTIME_ROLES.projector}`);
    // The partitions that exist already, the DEFAULT one included.
    await q.query(`
      DO $$ DECLARE part regclass; BEGIN
        FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_events'::regclass LOOP
          EXECUTE format('DROP TRIGGER IF EXISTS audit_events_partition_no_truncate ON %s', part);
          EXECUTE format('CREATE TRIGGER audit_events_partition_no_truncate BEFORE TRUNCATE ON %s
                          FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_mutation()', part);
        END LOOP;
      END $$`);
    await q.query(`
      CREATE TRIGGER checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON checkpoints
      FOR EACH ROW EXECUTE FUNCTION ledger_reject_mutation()`);
    await q.query(`
      CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_mutation()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS checkpoints_no_truncate ON checkpoints`);
    await q.query(`DROP TRIGGER IF EXISTS checkpoints_no_update_delete ON checkpoints`);
    await q.query(`
      DO $$ DECLARE part regclass; BEGIN
        FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_events'::regclass LOOP
          EXECUTE format('DROP TRIGGER IF EXISTS audit_events_partition_no_truncate ON %s', part);
        END LOOP;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ensure_audit_events_partition(month_start date) RETURNS text
      LANGUAGE plpgsql SECURITY INVOKER AS $$
      DECLARE
        part text := format('audit_events_%s', to_char(month_start, 'YYYY_MM'));
        lo date := date_trunc('month', month_start)::date;
        hi date := (date_trunc('month', month_start) + interval '1 month')::date;
      BEGIN
        IF to_regclass(part) IS NULL THEN
          EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        END IF;
        RETURN part;
      END $$`);
    await q.query(`ALTER FUNCTION ensure_audit_events_partition(date) RESET search_path`);
    await q.query(`GRANT EXECUTE ON FUNCTION ensure_audit_events_partition(date) TO PUBLIC`);
    await q.query(`DROP FUNCTION IF EXISTS ledger_reject_mutation()`);
    const tables = [...new Set(Object.values(RUNTIME_GRANTS).flatMap((g) => g.map(([t]) => t)))];
    for (const table of tables) await q.query(`DROP POLICY IF EXISTS service_access ON ${table}`);
    for (const [role, grants] of Object.entries(RUNTIME_GRANTS)) {
      for (const [table] of grants) await q.query(`REVOKE ALL ON ${table} FROM ${role}`);
    }
    for (const [sequence, role] of SEQUENCES) await q.query(`REVOKE USAGE ON SEQUENCE ${sequence} FROM ${role}`);
    await q.query(`DROP FUNCTION IF EXISTS ledger_grant_service(regclass, name, text)`);
  }
}
