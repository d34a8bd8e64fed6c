import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { roleUrl, RUNTIME_ROLES, SERVICE_LOGIN_ROLES, TENANT_APP_ROLE } from '@agent-ledger/persistence';
import { LedgerSystem, runToExit, stackEnv } from '@agent-ledger/testing';

const INSUFFICIENT_PRIVILEGE = '42501';
const env = stackEnv();

/** Runs `work` on a connection as `role` (the owner when undefined) inside a transaction that is always rolled back. */
async function asRole<T>(role: string | undefined, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: role ? roleUrl(env.databaseUrl, role) : env.databaseUrl });
  await c.connect();
  try {
    await c.query('BEGIN');
    return await work(c);
  } finally {
    await c.query('ROLLBACK').catch(() => undefined);
    await c.end();
  }
}

/** The SQLSTATE and message `sql` fails with as `role`, or 'succeeded'. */
async function failureOf(role: string | undefined, sql: string): Promise<{ code: string; message: string } | 'succeeded'> {
  return asRole(role, async (c) => {
    try {
      await c.query(sql);
      return 'succeeded';
    } catch (err) {
      const e = err as { code: string; message: string };
      return { code: e.code, message: e.message };
    }
  });
}

const anEventRow = (tenantId: string) => ({
  sql: `INSERT INTO audit_events (tenant_id, event_id, kafka_partition, kafka_offset, chain_seq, prev_hash, hash, type, occurred_at, received_at, recorded_at, event_json)
        VALUES ($1, $2, 0, 0, 1, '\\x00', '\\x01', 'action.attempted', now(), now(), now(), '{}')`,
  params: [tenantId, randomUUID()],
});

describe('database roles: the services cannot undo the audit log', () => {
  let partition: string;

  beforeAll(async () => {
    const owner = new Client({ connectionString: env.databaseUrl });
    await owner.connect();
    try {
      // The current month's partition, created (with its TRUNCATE trigger) as the projector does.
      const { rows } = await owner.query(`SELECT ensure_audit_events_partition(date_trunc('month', now())::date) AS p`);
      partition = rows[0].p;
      // A row in the month partition, so a role that may DELETE (the retention role) meets the trigger.
      const row = anEventRow(randomUUID());
      await owner.query(row.sql, row.params);
    } finally {
      await owner.end();
    }
  });

  describe.each(SERVICE_LOGIN_ROLES)('as %s', (role) => {
    it.each([
      ['TRUNCATE the month partition', () => `TRUNCATE ${partition}`],
      ['TRUNCATE audit_events', () => `TRUNCATE audit_events`],
      ['TRUNCATE the DEFAULT partition', () => `TRUNCATE audit_events_default`],
      ['DELETE FROM audit_events', () => `DELETE FROM audit_events`],
      ['UPDATE audit_events', () => `UPDATE audit_events SET type = type`],
      ['DELETE FROM a partition', () => `DELETE FROM ${partition}`],
      ['disable the triggers of audit_events', () => `ALTER TABLE audit_events DISABLE TRIGGER ALL`],
      ['disable the triggers of a partition', () => `ALTER TABLE ${partition} DISABLE TRIGGER ALL`],
      ['detach a partition', () => `ALTER TABLE audit_events DETACH PARTITION ${partition}`],
      ['drop a partition', () => `DROP TABLE ${partition}`],
      ['DELETE FROM checkpoints', () => `DELETE FROM checkpoints`],
      ['UPDATE checkpoints', () => `UPDATE checkpoints SET signature = signature`],
      ['TRUNCATE checkpoints', () => `TRUNCATE checkpoints`],
      ['disable the triggers of checkpoints', () => `ALTER TABLE checkpoints DISABLE TRIGGER ALL`],
    ])('should be refused (insufficient_privilege) when it tries to %s', async (_what, sql) => {
      expect(await failureOf(role, sql())).toEqual({ code: INSUFFICIENT_PRIVILEGE, message: expect.stringMatching(/permission denied|must be owner/) });
    });

    it('should be refused when it calls ensure_audit_events_partition, unless it is the projector', async () => {
      const result = await failureOf(role, `SELECT ensure_audit_events_partition(date_trunc('month', now())::date)`);
      if (role === RUNTIME_ROLES.projector) expect(result).toBe('succeeded');
      else expect(result).toEqual({ code: INSUFFICIENT_PRIVILEGE, message: expect.stringContaining('permission denied for function') });
    });
  });

  describe('as the owner (superuser)', () => {
    it('should refuse TRUNCATE of a partition by its append-only trigger', async () => {
      expect(await failureOf(undefined, `TRUNCATE ${partition}`)).toEqual({ code: INSUFFICIENT_PRIVILEGE, message: `${partition} is append-only: TRUNCATE is not allowed` });
      expect(await failureOf(undefined, `TRUNCATE audit_events_default`)).toEqual({ code: INSUFFICIENT_PRIVILEGE, message: 'audit_events_default is append-only: TRUNCATE is not allowed' });
    });

    it('should refuse UPDATE, DELETE and TRUNCATE of checkpoints by its append-only triggers', async () => {
      const checkpoint = `INSERT INTO checkpoints (id, tenant_id, created_at, heads, key_id, signature, payload) VALUES (gen_random_uuid(), gen_random_uuid(), now(), '[]', 'k', 's', '{}')`;
      for (const [sql, op] of [[`UPDATE checkpoints SET signature = 'x'`, 'UPDATE'], [`DELETE FROM checkpoints`, 'DELETE'], [`TRUNCATE checkpoints`, 'TRUNCATE']]) {
        const result = await asRole(undefined, async (c) => {
          await c.query(checkpoint);
          return c.query(sql).then(() => 'succeeded', (err: { code: string; message: string }) => ({ code: err.code, message: err.message }));
        });
        expect(result).toEqual({ code: INSUFFICIENT_PRIVILEGE, message: `checkpoints is append-only: ${op} is not allowed` });
      }
    });

    it('should give a partition created by ensure_audit_events_partition its TRUNCATE trigger', async () => {
      const triggers = await asRole(undefined, async (c) => {
        const { rows } = await c.query(`SELECT ensure_audit_events_partition('2099-01-01') AS p`);
        const t = await c.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass ORDER BY 1`, [rows[0].p]);
        return t.rows.map((r: { tgname: string }) => r.tgname);
      });
      expect(triggers).toEqual(['audit_events_no_update_delete', 'audit_events_partition_no_truncate']);
    });
  });

  describe('each role still does its work', () => {
    const tenantId = randomUUID();

    it('should let the projector create partitions and append events and checkpoints', async () => {
      await asRole(RUNTIME_ROLES.projector, async (c) => {
        await c.query(`SELECT ensure_audit_events_partition(date_trunc('month', now())::date)`);
        const row = anEventRow(tenantId);
        await expect(c.query(row.sql, row.params)).resolves.toMatchObject({ rowCount: 1 });
        await expect(
          c.query(`INSERT INTO checkpoints (id, tenant_id, created_at, heads, key_id, signature, payload) VALUES ($1, $2, now(), '[]', 'k', 's', '{}')`, [randomUUID(), tenantId]),
        ).resolves.toMatchObject({ rowCount: 1 });
        await expect(c.query(`INSERT INTO dead_letters (consumer_group, source_topic, source_partition, source_offset, dlq_topic, dlq_partition, dlq_offset, error_class, reason_code, reason, value_bytes, dead_lettered_at)
                              VALUES ('g', 't', 0, 0, 'd', 0, 0, 'permanent', 'x', 'x', 0, now()) RETURNING id`)).resolves.toMatchObject({ rowCount: 1 });
      });
    });

    it('should let ingest read API keys and tenants, and nothing of the audit log', async () => {
      await asRole(RUNTIME_ROLES.ingest, async (c) => {
        await c.query(`SELECT id, key_hash, scopes, revoked_at FROM api_keys LIMIT 1`);
        await c.query(`SELECT id, redaction_patterns FROM tenants LIMIT 1`);
        await expect(c.query(`SELECT 1 FROM audit_events LIMIT 1`)).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      });
    });

    it('should let the worker read escalation rules', async () => {
      await asRole(RUNTIME_ROLES.worker, (c) => c.query(`SELECT settings FROM escalation_rules LIMIT 1`));
    });

    it('should let the notifier record escalations, deliveries and attempts', async () => {
      await asRole(RUNTIME_ROLES.notifier, async (c) => {
        await c.query(`INSERT INTO notification_escalations (escalation_id, tenant_id, session_id, reason, severity, summary, opened_at) VALUES ($1, $2, 's', 'r', 'high', 'x', now())`, [randomUUID(), tenantId]);
        const id = randomUUID();
        await c.query(`INSERT INTO deliveries (id, tenant_id, dedup_key, event_type, channel, target, message_id, payload, status, job_id) VALUES ($1, $2, $3, 'e', 'email', 't', 'm', '{}', 'pending', 'j')`, [id, tenantId, `roles-${id}`]);
        await c.query(`INSERT INTO delivery_attempts (delivery_id, tenant_id, attempt, job_id, started_at, duration_ms, outcome) VALUES ($1, $2, 1, 'j', now(), 1, 'delivered')`, [id, tenantId]);
      });
    });

    it("should let audit-api's system side create tenants and keys and relay the change outbox", async () => {
      await asRole(RUNTIME_ROLES.api, async (c) => {
        await c.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `roles-${tenantId}`]);
        await c.query(`INSERT INTO api_keys (id, tenant_id, key_hash, key_prefix, scopes) VALUES ($1, $2, $3, 'p', '{read}')`, [randomUUID(), tenantId, Buffer.from(randomUUID())]);
        await c.query(`SELECT event_id FROM change_outbox WHERE published_at IS NULL LIMIT 1 FOR UPDATE SKIP LOCKED`);
      });
    });

    it('should let agent_ledger_app read its tenant rows only', async () => {
      await asRole(TENANT_APP_ROLE, async (c) => {
        await c.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
        const { rows } = await c.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id <> $1`, [tenantId]);
        expect(rows[0].n).toBe(0);
      });
    });
  });

  describe('narrow grants: a service may change only the columns its SQL changes', () => {
    const tenantId = randomUUID();
    /** A committed statement as the owner (fixtures the service roles may not insert). */
    async function owner(sql: string, params: unknown[] = []): Promise<void> {
      const c = new Client({ connectionString: env.databaseUrl });
      await c.connect();
      try {
        await c.query(sql, params);
      } finally {
        await c.end();
      }
    }

    beforeAll(async () => {
      await owner(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `roles-narrow-${tenantId}`]);
      await owner(`INSERT INTO action_anomaly_findings (tenant_id, action_id, code, description, trigger_event_id) VALUES ($1, 'a-1', 'approval_mismatch', 'd', $2)`, [tenantId, randomUUID()]);
      await owner(`INSERT INTO producer_gaps (tenant_id, producer_id, first_seq, last_seq, opened_at) VALUES ($1, 'p-1', 3, 4, now())`, [tenantId]);
    });

    afterAll(() => owner(`DELETE FROM tenants WHERE id = $1`, [tenantId])); // the findings and gaps go with their tenant

    it.each([
      ['merkle_leaves', RUNTIME_ROLES.projector, `UPDATE merkle_leaves SET leaf_index = leaf_index`],
      ['action_anomaly_findings', RUNTIME_ROLES.worker, `UPDATE action_anomaly_findings SET code = code`],
      ['action_anomaly_findings', RUNTIME_ROLES.worker, `UPDATE action_anomaly_findings SET escalated_at = now(), description = 'x'`],
      ['producer_gaps', RUNTIME_ROLES.worker, `UPDATE producer_gaps SET closed_at = now()`],
      ['producer_gaps', RUNTIME_ROLES.worker, `UPDATE producer_gaps SET last_seq = last_seq`],
    ])('should refuse an UPDATE of %s by %s beyond its grant: %s', async (table, role, sql) => {
      expect(await failureOf(role, sql)).toEqual({ code: INSUFFICIENT_PRIVILEGE, message: `permission denied for table ${table}` });
    });

    it('should let the projector append a Merkle leaf', async () => {
      await asRole(RUNTIME_ROLES.projector, async (c) => {
        const insert = `INSERT INTO merkle_leaves (tenant_id, event_id, leaf_index, kafka_partition, chain_seq) VALUES ($1, $2, 0, 0, 1)`;
        await expect(c.query(insert, [tenantId, randomUUID()])).resolves.toMatchObject({ rowCount: 1 });
      });
    });

    it('should let the worker mark findings and gaps handled with the statements it runs', async () => {
      await asRole(RUNTIME_ROLES.worker, async (c) => {
        const ids = async (table: string) => (await c.query(`SELECT id FROM ${table} WHERE tenant_id = $1`, [tenantId])).rows.map((r: { id: string }) => r.id);
        const findings = await c.query(`UPDATE action_anomaly_findings SET escalated_at = now() WHERE id = ANY($1::bigint[]) AND escalated_at IS NULL`, [await ids('action_anomaly_findings')]);
        const gaps = await c.query(
          `UPDATE producer_gaps g SET escalated_at = now()
             FROM (SELECT id FROM producer_gaps WHERE id = ANY ($1::bigint[]) AND escalated_at IS NULL ORDER BY id FOR UPDATE) h
            WHERE g.id = h.id`,
          [await ids('producer_gaps')],
        );
        expect([findings.rowCount, gaps.rowCount]).toEqual([1, 1]);
      });
    });
  });

  describe('startup guard', () => {
    it('should refuse to start in production, naming the role, when a service connects as a superuser', async () => {
      const result = await runToExit('escalation-worker', { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', DATABASE_URL: env.databaseUrl, KAFKA_BROKERS: env.kafkaBrokers.join(','), REDIS_URL: env.redisUrl });
      expect(result.code).toBe(1);
      // The log line is JSON: the role's quotes are escaped there.
      const owner = new URL(env.databaseUrl).username;
      expect(result.output).toMatch(new RegExp(`refusing to start in production: connected to PostgreSQL as role \\\\?"${owner}\\\\?", a superuser`));
    });

    it('should start in production without a warning when the service connects as its own role', async () => {
      const system = new LedgerSystem({ services: ['escalation-worker'], env: { 'escalation-worker': { NODE_ENV: 'production', LOG_LEVEL: 'info' } } });
      try {
        await system.start();
        expect(system.envOf('escalation-worker').DATABASE_URL).toBe(roleUrl(env.databaseUrl, RUNTIME_ROLES.worker));
        expect(system.service('escalation-worker').output.join('')).not.toContain('a service must connect as its own role');
      } finally {
        await system.stop();
      }
    });
  });
});
