import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's schema: tenants and keys, the append-only hash-chained audit log (partitioned by
 * month), the action projection, the projector's offsets and chain heads, signed checkpoints and
 * per-subject data keys for PII.
 */
export class InitialSchema1732300000000 implements MigrationInterface {
  name = 'InitialSchema1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        redaction_patterns text[] NOT NULL DEFAULT '{}',
        retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX tenants_name_key ON tenants (lower(name))`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        key_hash bytea NOT NULL,
        key_prefix text NOT NULL,
        scopes text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest','read','admin']),
        name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash)`);
    await q.query(`CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id)`);

    // One row per lifecycle event, never updated or deleted by the application.
    // event_json is the canonical JSON of the stored event, byte for byte what the hash covers;
    // the other columns are derived from it for querying (verification re-derives and compares them).
    await q.query(`
      CREATE TABLE audit_events (
        tenant_id uuid NOT NULL,
        event_id uuid NOT NULL,
        kafka_partition integer NOT NULL,
        kafka_offset bigint NOT NULL,
        chain_seq bigint NOT NULL,
        prev_hash bytea NOT NULL,
        hash bytea NOT NULL,
        type text NOT NULL,
        action_id text,
        session_id text,
        agent_id text,
        actor_id text,
        tool_name text,
        risk_level text,
        approval_decision text,
        subject_id text,
        resource_type text,
        resource_id text,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        event_json text NOT NULL,
        PRIMARY KEY (tenant_id, kafka_partition, chain_seq, recorded_at)
      ) PARTITION BY RANGE (recorded_at)`);
    await q.query(`CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT`);
    await q.query(`CREATE INDEX audit_events_event_idx ON audit_events (tenant_id, event_id)`);
    await q.query(`CREATE INDEX audit_events_action_idx ON audit_events (tenant_id, action_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_events_session_idx ON audit_events (tenant_id, session_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_events_occurred_idx ON audit_events (tenant_id, occurred_at DESC, event_id DESC)`);
    await q.query(`CREATE INDEX audit_events_type_idx ON audit_events (tenant_id, type, occurred_at DESC)`);
    await q.query(`CREATE INDEX audit_events_resource_idx ON audit_events (tenant_id, resource_type, resource_id) WHERE resource_type IS NOT NULL`);
    await q.query(`CREATE INDEX audit_events_subject_idx ON audit_events (tenant_id, subject_id) WHERE subject_id IS NOT NULL`);

    // Month partitions are created ahead of time by ensure_audit_events_partition (the projector
    // calls it at startup and daily); the DEFAULT partition catches anything outside them.
    await q.query(`
      CREATE FUNCTION ensure_audit_events_partition(month_start date) RETURNS text
      LANGUAGE plpgsql AS $$
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
    await q.query(`SELECT ensure_audit_events_partition(date_trunc('month', now())::date)`);
    await q.query(`SELECT ensure_audit_events_partition((date_trunc('month', now()) + interval '1 month')::date)`);

    // The audit log is append-only: UPDATE, DELETE and TRUNCATE are rejected for every role.
    await q.query(`
      CREATE FUNCTION audit_events_reject_mutation() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_reject_mutation()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_mutation()`);

    // Idempotency: one row per (tenant, eventId) ever seen; a duplicate delivery inserts nothing.
    await q.query(`
      CREATE TABLE event_ids (
        tenant_id uuid NOT NULL,
        event_id uuid NOT NULL,
        PRIMARY KEY (tenant_id, event_id)
      )`);

    // Current state of each action, converging whatever the order of its events.
    await q.query(`
      CREATE TABLE actions (
        tenant_id uuid NOT NULL,
        action_id text NOT NULL,
        status text NOT NULL,
        session_id text,
        agent_id text,
        agent_name text,
        actor_type text,
        actor_id text,
        tool_name text,
        tool_provider text,
        risk_level text,
        approval_required boolean,
        approval_decision text,
        approved_by text,
        attempted_at timestamptz,
        confirmed_at timestamptz,
        executed_at timestamptz,
        failed_at timestamptz,
        cancelled_at timestamptz,
        first_event_at timestamptz NOT NULL,
        last_event_at timestamptz NOT NULL,
        duration_ms double precision,
        error_message text,
        error_code text,
        subject_id text,
        event_count integer NOT NULL,
        anomaly boolean NOT NULL DEFAULT false,
        anomalies jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, action_id)
      )`);
    await q.query(`CREATE INDEX actions_recent_idx ON actions (tenant_id, first_event_at DESC, action_id DESC)`);
    await q.query(`CREATE INDEX actions_session_idx ON actions (tenant_id, session_id)`);
    await q.query(`CREATE INDEX actions_status_idx ON actions (tenant_id, status, first_event_at DESC)`);
    await q.query(`CREATE INDEX actions_tool_idx ON actions (tenant_id, tool_name, first_event_at DESC)`);

    // The projector's position per partition, written in the same transaction as the rows.
    await q.query(`
      CREATE TABLE consumer_offsets (
        group_id text NOT NULL,
        topic text NOT NULL,
        kafka_partition integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, topic, kafka_partition)
      )`);

    // Head of each hash chain: one chain per (tenant, Kafka partition).
    await q.query(`
      CREATE TABLE chain_heads (
        tenant_id uuid NOT NULL,
        kafka_partition integer NOT NULL,
        chain_seq bigint NOT NULL,
        hash bytea NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, kafka_partition)
      )`);

    // Signed statements of every chain head of a tenant at a point in time.
    await q.query(`
      CREATE TABLE checkpoints (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        heads jsonb NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        payload text NOT NULL
      )`);
    await q.query(`CREATE INDEX checkpoints_tenant_idx ON checkpoints (tenant_id, created_at DESC)`);

    // Envelope encryption of PII: one data key per subject, wrapped by the master key.
    // Erasure deletes the wrapped key (crypto-shredding); the ciphertext stays and still hashes.
    await q.query(`
      CREATE TABLE subject_keys (
        tenant_id uuid NOT NULL,
        subject_id text NOT NULL,
        key_id uuid NOT NULL,
        wrapped_key bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        PRIMARY KEY (tenant_id, subject_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX subject_keys_key_id_key ON subject_keys (key_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['subject_keys', 'checkpoints', 'chain_heads', 'consumer_offsets', 'actions', 'event_ids', 'audit_events', 'api_keys', 'tenants']) {
      await q.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
    }
    await q.query(`DROP FUNCTION IF EXISTS audit_events_reject_mutation()`);
    await q.query(`DROP FUNCTION IF EXISTS ensure_audit_events_partition(date)`);
  }
}
