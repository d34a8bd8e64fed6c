import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notification channels and the delivery log (docs/notifications.md).
 *
 * - `notification_channels`: a tenant's email recipients (one row per tenant).
 * - `webhook_endpoints`: a tenant's webhook endpoints; the signing secret is stored only wrapped
 *   (AES-256-GCM under the master key), with the previous secret during a rotation's grace period.
 * - `notification_escalations`: what the notifier learnt of each escalation from its `opened` event
 *   (reason, severity, summary), so later events of the escalation can be filtered and described.
 * - `deliveries`: one row per (escalation event, channel, recipient or endpoint); `dedup_key` is the
 *   deterministic id that makes a redelivered escalation notify once, long after its queue job is gone.
 * - `delivery_attempts`: every attempt, with its status code, duration and error.
 *
 * Row-level security: when this runs after TenantRowLevelSecurity1732300000700 (an existing
 * database), the tenant tables are put under it here; on a new database that migration does it.
 */
const TENANT_TABLES: [table: string, privileges: string][] = [
  ['notification_channels', 'SELECT, INSERT, UPDATE, DELETE'],
  ['webhook_endpoints', 'SELECT, INSERT, UPDATE, DELETE'],
  ['deliveries', 'SELECT, INSERT, UPDATE'],
  ['delivery_attempts', 'SELECT'],
];

export class Notifications1732300000600 implements MigrationInterface {
  name = 'Notifications1732300000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_channels (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        email_recipients text[] NOT NULL DEFAULT '{}',
        email_filter jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        position integer NOT NULL,
        url text NOT NULL,
        format text NOT NULL CHECK (format IN ('standard', 'slack', 'discord')),
        filter jsonb NOT NULL DEFAULT '{}',
        secret_version integer NOT NULL,
        secret_wrapped bytea NOT NULL,
        previous_secret_version integer,
        previous_secret_wrapped bytea,
        previous_secret_expires_at timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        disabled_at timestamptz,
        failing_since timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_tenant_idx ON webhook_endpoints (tenant_id, position)`);
    await q.query(`
      CREATE TABLE notification_escalations (
        escalation_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        session_id text NOT NULL,
        action_id text,
        reason text NOT NULL,
        severity text NOT NULL,
        summary text NOT NULL,
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        dedup_key text NOT NULL UNIQUE,
        escalation_id uuid,
        event_id uuid,
        event_type text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
        target text NOT NULL,
        endpoint_id uuid,
        message_id text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'retrying', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        job_id text NOT NULL,
        manual_retries integer NOT NULL DEFAULT 0,
        enqueued_at timestamptz,
        next_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX deliveries_tenant_created_idx ON deliveries (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX deliveries_tenant_escalation_idx ON deliveries (tenant_id, escalation_id)`);
    await q.query(`CREATE INDEX deliveries_to_enqueue_idx ON deliveries (created_at) WHERE enqueued_at IS NULL AND status = 'pending'`);
    await q.query(`CREATE INDEX deliveries_unfinished_idx ON deliveries (updated_at) WHERE status IN ('pending', 'retrying')`);
    await q.query(`
      CREATE TABLE delivery_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        attempt integer NOT NULL,
        job_id text NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        status_code integer,
        outcome text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
        error text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX delivery_attempts_delivery_idx ON delivery_attempts (delivery_id, attempt)`);
    await q.query(`
      DO $$ BEGIN
        IF to_regprocedure('ledger_enable_tenant_rls(regclass,text,text)') IS NOT NULL THEN
          ${TENANT_TABLES.map(([t, p]) => `PERFORM ledger_enable_tenant_rls('${t}'::regclass, '${p}');`).join('\n          ')}
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['delivery_attempts', 'deliveries', 'notification_escalations', 'webhook_endpoints', 'notification_channels']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
