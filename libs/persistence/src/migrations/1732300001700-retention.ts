import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The role of the retention worker: the only one allowed to delete from the audit log (docs/retention.md). */
export const RETENTION_ROLE = 'agent_ledger_retention';

/** What the retention worker's SQL needs: read what it archives, delete what a purge covers. */
export const RETENTION_GRANTS: [table: string, privileges: string][] = [
  ['tenants', 'SELECT'],
  ['retention_policies', 'SELECT'],
  ['retention_purges', 'SELECT, INSERT, UPDATE'],
  ['retention_cuts', 'SELECT, INSERT'],
  ['checkpoints', 'SELECT'],
  ['chain_heads', 'SELECT'],
  ['event_ids', 'SELECT'],
  ['audit_events', 'SELECT, DELETE'],
  ['actions', 'SELECT, DELETE'],
  ['escalations', 'SELECT, DELETE'],
  ['escalation_events', 'SELECT, DELETE'],
  ['notification_escalations', 'SELECT, DELETE'],
  ['deliveries', 'SELECT, DELETE'],
  ['delivery_attempts', 'SELECT, DELETE'],
];

/**
 * Retention (docs/retention.md):
 * - `retention_policies`: per tenant, how long rows are kept (`retain_for`, an ISO 8601 duration
 *   PostgreSQL reads as an interval), whether purged rows are archived, and a legal hold.
 * - `retention_purges` and `retention_cuts`: each purge, its state, its archive and, per chain, the
 *   range of chain_seq it removes. A cut always ends at the head a signed checkpoint signed.
 * - The append-only trigger of `audit_events` lets exactly one role delete exactly the rows a purge
 *   covers, once the purge's archive is written (or archiving is off for it), the checkpoint it ends
 *   at is stored, and its `retention.purged` record is in the ledger. Every other DELETE, and every
 *   UPDATE, is refused as before.
 * - `ledger_drop_empty_audit_partition`: drops a past month's partition of audit_events once no
 *   tenant has a row in it (the retention role's only DDL, through a checked SECURITY DEFINER function).
 */
export class Retention1732300001700 implements MigrationInterface {
  name = 'Retention1732300001700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${RETENTION_ROLE}') THEN
          CREATE ROLE ${RETENTION_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
        END IF;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${RETENTION_ROLE}`);

    await q.query(`
      CREATE TABLE retention_policies (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        retain_for text NOT NULL CHECK (retain_for::interval > interval '0'),
        archive boolean NOT NULL DEFAULT true,
        legal_hold boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Keep what tenants.retention_days said (it was never enforced; the policy replaces it).
    await q.query(`INSERT INTO retention_policies (tenant_id, retain_for) SELECT id, 'P' || retention_days || 'D' FROM tenants WHERE retention_days <> 90`);
    await q.query(`ALTER TABLE tenants DROP COLUMN retention_days`);

    await q.query(`
      CREATE TABLE retention_purges (
        purge_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        ordinal integer NOT NULL CHECK (ordinal > 0),
        state text NOT NULL CHECK (state IN ('planned', 'archived', 'recorded', 'purged')),
        horizon timestamptz NOT NULL,
        checkpoint_id uuid NOT NULL,
        archive_required boolean NOT NULL,
        archive jsonb,
        events bigint NOT NULL,
        recorded_from timestamptz,
        recorded_to timestamptz,
        record_event_id uuid NOT NULL,
        deleted jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        archived_at timestamptz,
        recorded_at timestamptz,
        purged_at timestamptz,
        UNIQUE (tenant_id, ordinal),
        CHECK (state IN ('planned') OR NOT archive_required OR archive IS NOT NULL)
      )`);
    await q.query(`
      CREATE TABLE retention_cuts (
        purge_id uuid NOT NULL REFERENCES retention_purges (purge_id),
        tenant_id uuid NOT NULL,
        kafka_partition integer NOT NULL,
        from_seq bigint NOT NULL,
        to_seq bigint NOT NULL,
        first_hash bytea NOT NULL,
        last_hash bytea NOT NULL,
        events bigint NOT NULL,
        PRIMARY KEY (tenant_id, kafka_partition, purge_id),
        CHECK (from_seq <= to_seq)
      )`);

    for (const table of ['retention_policies', 'retention_purges', 'retention_cuts']) {
      const privileges = table === 'retention_policies' ? 'SELECT, INSERT, UPDATE' : 'SELECT';
      await q.query(`SELECT ledger_enable_tenant_rls($1::regclass, $2)`, [table, privileges]);
    }
    for (const [table, privileges] of RETENTION_GRANTS) await q.query(`SELECT ledger_grant_service($1::regclass, $2, $3)`, [table, RETENTION_ROLE, privileges]);

    // The one way to delete from the audit log: the retention role, within a recorded purge's cut. The
    // function runs as the caller (current_user is who deletes); the retention role may read every
    // table the check reads.
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_events_reject_mutation() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_user = '${RETENTION_ROLE}' THEN
          IF EXISTS (
            SELECT 1
              FROM retention_cuts c
              JOIN retention_purges p ON p.purge_id = c.purge_id
              JOIN checkpoints k ON k.id = p.checkpoint_id AND k.tenant_id = p.tenant_id
             WHERE c.tenant_id = OLD.tenant_id
               AND c.kafka_partition = OLD.kafka_partition
               AND OLD.chain_seq BETWEEN c.from_seq AND c.to_seq
               AND p.state IN ('recorded', 'purged')
               AND (p.archive IS NOT NULL OR NOT p.archive_required)
               AND EXISTS (SELECT 1 FROM event_ids e WHERE e.tenant_id = p.tenant_id AND e.event_id = p.record_event_id)
               AND EXISTS (SELECT 1 FROM jsonb_array_elements(k.heads) h
                            WHERE (h->>'partition')::int = OLD.kafka_partition AND (h->>'chainSeq')::bigint >= OLD.chain_seq)
          ) THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION 'permission denied: audit_events row (%, %, %) is not covered by a recorded, archived and checkpointed purge', OLD.tenant_id, OLD.kafka_partition, OLD.chain_seq
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_drop_empty_audit_partition(part regclass) RETURNS boolean
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        bound text;
        hi timestamptz;
        has_rows boolean;
      BEGIN
        SELECT pg_get_expr(c.relpartbound, c.oid) INTO bound
          FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
         WHERE c.oid = part AND i.inhparent = 'audit_events'::regclass;
        IF bound IS NULL OR bound = 'DEFAULT' THEN
          RAISE EXCEPTION '% is not a month partition of audit_events', part USING ERRCODE = 'insufficient_privilege';
        END IF;
        hi := substring(bound FROM 'TO \\(''([^'']+)''\\)')::timestamptz;
        IF hi IS NULL OR hi > date_trunc('month', now()) THEN
          RETURN false; -- the current month or a later one: rows may still arrive
        END IF;
        LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', part) INTO has_rows;
        IF has_rows THEN
          RETURN false;
        END IF;
        EXECUTE format('DROP TABLE %s', part);
        RETURN true;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION ledger_drop_empty_audit_partition(regclass) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION ledger_drop_empty_audit_partition(regclass) TO ${RETENTION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS ledger_drop_empty_audit_partition(regclass)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_events_reject_mutation() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP TABLE IF EXISTS retention_cuts`);
    await q.query(`DROP TABLE IF EXISTS retention_purges`);
    await q.query(`ALTER TABLE tenants ADD COLUMN retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days > 0)`);
    await q.query(`DROP TABLE IF EXISTS retention_policies`);
    await q.query(`DROP OWNED BY ${RETENTION_ROLE}`);
    await q.query(`DROP ROLE IF EXISTS ${RETENTION_ROLE}`);
  }
}
