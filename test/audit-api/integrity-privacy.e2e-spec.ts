import { Client } from 'pg';
import { TENANT_APP_ROLE, tenantRoleUrl } from '@agent-ledger/persistence';
import { anActionEventInput, LedgerSystem, waitFor, type HttpAnswer, type TestTenant } from '@agent-ledger/testing';
import { alterWithoutTrigger } from '../write-path/ledger-probe';

/**
 * audit-api's verification, data-subject rights and change log, over events that went through the
 * real write path (ingest-api → Kafka → audit-projector → PostgreSQL).
 */
describe('audit-api integrity, privacy and change log', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  const { db, suffix, rootKey } = system;
  const env = system.stack;
  const piiMarker = `pii${system.suffix}`;
  let tenant: TestTenant;
  /** A key of the tenant with scopes admin and pii: subject exports with PII in clear. */
  let privacyKey: string;
  let privacyKeyId: string;
  let postedEventIds: string[] = [];

  beforeAll(async () => {
    await system.start();
    tenant = await createTenant(`privacy-${suffix}`);
    const created = await system.http<{ key: string; keyId: string }>('POST', `${system.url('audit-api')}/v1/admin/tenants/${tenant.tenantId}/keys`, { key: rootKey, json: { scopes: ['admin', 'pii'], name: 'privacy' } });
    expect(created.status).toBe(201);
    privacyKey = created.body.key;
    privacyKeyId = created.body.keyId;
    // 120 actions of 40 customers (subject.pii), their IPs as actors, posted through ingest.
    const events = Array.from({ length: 120 }, (_, i) =>
      anActionEventInput({
        type: 'action.attempted',
        actionId: `act-${i}`,
        sessionId: `sess-${i % 10}`,
        subject: { id: `cust-${i % 40}`, pii: { email: `${piiMarker}-${i % 40}@example.com` } },
        actor: { type: 'user', id: `cust-${i % 40}`, ip: `198.51.100.${i % 40}` },
      }),
    );
    for (let i = 0; i < events.length; i += 60) expect((await system.postEvents(tenant.apiKeys.ingest, { events: events.slice(i, i + 60) })).status).toBe(202);
    postedEventIds = events.map((e) => e.eventId!);
    await waitForStored(tenant.tenantId, postedEventIds.length + 2); // + the tenant.created and api_key.created changes
    await waitForCheckpointAtHeads(tenant.tenantId);
  });

  afterAll(() => system.stop());

  describe('GET /v1/integrity/verify', () => {
    it('should report ok with every stored event checked and the last signed checkpoint when nothing was altered', async () => {
      const stored = await countStored(tenant.tenantId);
      const answer = await get(`/v1/integrity/verify`, tenant.apiKeys.read);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ ok: true, eventsChecked: stored, failures: [] });
      expect(answer.body.firstFailure).toBeUndefined();
      expect((answer.body.lastCheckpoint as { heads: unknown[] }).heads.length).toBeGreaterThan(0);
      expect((answer.body.chains as { events: number }[]).reduce((n, c) => n + c.events, 0)).toBe(stored);
    });

    it('should check only the rows recorded in the window when from and to are given', async () => {
      const { rows } = await db.query(`SELECT recorded_at FROM audit_events WHERE tenant_id = $1 ORDER BY recorded_at`, [tenant.tenantId]);
      const from = new Date(new Date(rows[Math.floor(rows.length / 2)].recorded_at).getTime());
      const expected = rows.filter((r) => new Date(r.recorded_at) >= from).length;
      const answer = await get(`/v1/integrity/verify?from=${from.toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`, tenant.apiKeys.read);
      expect(answer.body).toMatchObject({ ok: true, eventsChecked: expected });
      expect(expected).toBeLessThan(rows.length);
    });

    it('should answer 400 naming the parameter when the window is invalid', async () => {
      expect(await get(`/v1/integrity/verify?from=yesterday`, tenant.apiKeys.read)).toMatchObject({ status: 400, body: { error: { field: 'from' } } });
      expect(await get(`/v1/integrity/verify?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`, tenant.apiKeys.read)).toMatchObject({ status: 400, body: { error: { field: 'from' } } });
      expect(await get(`/v1/integrity/verify?since=2026-01-01`, tenant.apiKeys.read)).toMatchObject({ status: 400, body: { error: { field: 'since' } } });
    });

    it('should name the altered row when a row was edited with the trigger disabled', async () => {
      const other = await createTenant(`tampered-${suffix}`);
      const events = Array.from({ length: 30 }, (_, i) => anActionEventInput({ type: 'signal.rate_limited', sessionId: `s-${i}` }));
      expect((await post(`${system.url('ingest-api')}/v1/events`, other.apiKeys.ingest, { events })).status).toBe(202);
      await waitForStored(other.tenantId, 31);
      await waitForCheckpointAtHeads(other.tenantId);
      expect((await get(`/v1/integrity/verify`, other.apiKeys.read)).body.ok).toBe(true);

      const { rows } = await db.query(
        `SELECT tableoid::regclass::text AS part, event_id::text AS event_id FROM audit_events WHERE tenant_id = $1 AND type = 'signal.rate_limited' ORDER BY chain_seq DESC LIMIT 1`,
        [other.tenantId],
      );
      await alterWithoutTrigger(env.databaseUrl, rows[0].part, `UPDATE ${rows[0].part} SET event_json = replace(event_json, 'signal.rate_limited', 'signal.rate_limitex') WHERE tenant_id = $1 AND event_id = $2`, [other.tenantId, rows[0].event_id]);

      const answer = await get(`/v1/integrity/verify`, other.apiKeys.read);
      expect(answer.body.ok).toBe(false);
      expect(answer.body.firstFailure).toMatchObject({ eventId: rows[0].event_id, kind: expect.stringMatching(/hash_mismatch|malformed_event|derived_mismatch/) });
      // The first tenant's record is untouched.
      expect((await get(`/v1/integrity/verify`, tenant.apiKeys.read)).body.ok).toBe(true);
    });
  });

  describe('data subjects', () => {
    it('should export everything stored about a subject with its PII readable before erasure', async () => {
      const answer = await get(`/v1/subjects/cust-7/export`, privacyKey);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-disposition')).toMatch(/attachment; filename="subject-cust-7\.json"/);
      const body = answer.body as { subjectId: string; keys: { for: string; erasedAt: string | null }[]; events: { subject: { pii: unknown }; actor: { ip: unknown } }[] };
      expect(body.subjectId).toBe('cust-7');
      expect(body.keys.map((k) => k.for).sort()).toEqual(['actor.ip', 'subject.pii']);
      expect(body.events).toHaveLength(3);
      for (const e of body.events) {
        expect(e.subject.pii).toEqual({ email: `${piiMarker}-7@example.com` });
        expect(e.actor.ip).toBe('198.51.100.7');
      }
    });

    it('should export a subject with its PII redacted to an admin key without the pii scope', async () => {
      const body = (await get(`/v1/subjects/cust-7/export`, tenant.apiKeys.admin)).body as { events: { subject: { pii: unknown }; actor: { ip: unknown } }[] };
      expect(body.events).toHaveLength(3);
      for (const e of body.events) expect([e.subject.pii, e.actor.ip]).toEqual([{ $redacted: 'pii scope required' }, { $redacted: 'pii scope required' }]);
    });

    it('should make the subject PII read as erased everywhere while the chains still verify when the subject is erased', async () => {
      expect(await post(`${system.url('audit-api')}/v1/subjects/cust-7/erase`, tenant.apiKeys.read, {})).toMatchObject({ status: 403 });

      const erased = await post(`${system.url('audit-api')}/v1/subjects/cust-7/erase`, tenant.apiKeys.admin, {});
      expect(erased).toMatchObject({ status: 200, body: { subjectId: 'cust-7', keysErased: 2, eventsAffected: 3 } });
      const again = await post(`${system.url('audit-api')}/v1/subjects/cust-7/erase`, tenant.apiKeys.admin, {});
      expect(again.body).toMatchObject({ keysErased: 0, erasedAt: erased.body.erasedAt });

      const exported = (await get(`/v1/subjects/cust-7/export`, privacyKey)).body as { keys: { erasedAt: string | null }[]; events: { subject: { pii: unknown }; actor: { ip: unknown } }[] };
      expect(exported.keys.every((k) => k.erasedAt)).toBe(true);
      for (const e of exported.events) {
        expect(e.subject.pii).toEqual({ $erased: true });
        expect(e.actor.ip).toEqual({ $erased: true });
      }
      // Another subject is untouched.
      const neighbour = (await get(`/v1/subjects/cust-8/export`, privacyKey)).body as { events: { subject: { pii: unknown } }[] };
      expect(neighbour.events[0].subject.pii).toEqual({ email: `${piiMarker}-8@example.com` });

      // The ciphertext is still there and still hashes: verification is unaffected. The erasure's own
      // change events reach the log through Kafka, maybe after the checkpoint waited for here: verify
      // answers unverified for them until the next checkpoint covers them, never failed.
      await waitForCheckpointAtHeads(tenant.tenantId);
      const verified = await waitFor(
        async () => {
          const body = (await get(`/v1/integrity/verify`, tenant.apiKeys.read)).body as { status: string };
          return body.status === 'unverified' ? undefined : body;
        },
        { timeoutMs: 30_000, what: 'verify answering past unverified' },
      );
      expect(verified).toMatchObject({ ok: true });
    });

    it('should answer 401 and 400 for a bad key or subject id', async () => {
      expect(await get(`/v1/subjects/cust-1/export`, 'alk_admin_' + 'x'.repeat(43))).toMatchObject({ status: 401 });
      expect(await get(`/v1/subjects/${'x'.repeat(201)}/export`, tenant.apiKeys.admin)).toMatchObject({ status: 400, body: { error: { field: 'subjectId' } } });
    });
  });

  describe('change log', () => {
    it('should record key creation, revocation and erasure as change.recorded events with the acting key, IP and user agent', async () => {
      const created = await post<{ keyId: string; key: string }>(`${system.url('audit-api')}/v1/admin/tenants/${tenant.tenantId}/keys`, rootKey, { scopes: ['read'], name: 'auditor' }, { 'user-agent': 'ops-console/1.0' });
      expect(created.status).toBe(201);
      expect((await fetch(`${system.url('audit-api')}/v1/admin/keys/${created.body.keyId}`, { method: 'DELETE', headers: { authorization: `Bearer ${rootKey}` } })).status).toBe(200);

      const changes = await waitFor(
        async () => {
          const { rows } = await db.query(`SELECT event_json FROM audit_events WHERE tenant_id = $1 AND type = 'change.recorded' ORDER BY occurred_at`, [tenant.tenantId]);
          // The creation of the suite's admin+pii key is not part of this story.
          const events = rows.map((r) => JSON.parse(r.event_json)).filter((e) => e.resource?.id !== privacyKeyId);
          return events.length >= 4 ? events : undefined;
        },
        { timeoutMs: 20_000, what: 'four change.recorded events in the ledger' },
      );
      const actions = changes.map((e) => e.metadata.action);
      expect(actions).toEqual(['tenant.created', 'subject.erased', 'api_key.created', 'api_key.revoked']);

      const adminKeyId = tenant.keys.find((k) => k.scopes.includes('admin'))!.keyId;
      const erasure = changes[1];
      expect(erasure).toMatchObject({ actor: { type: 'user', id: `api-key:${adminKeyId}` }, resource: { type: 'data_subject', id: 'cust-7' }, metadata: { keyId: adminKeyId } });
      const revoked = changes[3];
      expect(revoked).toMatchObject({
        actor: { type: 'system', id: 'root-key', userAgent: expect.any(String) },
        resource: { type: 'api_key', id: created.body.keyId },
        changes: { before: { revokedAt: null }, after: { revokedAt: expect.any(String) } },
      });
      expect(changes[2].actor.userAgent).toBe('ops-console/1.0');
      // actor.ip is PII: stored encrypted, opened for readers of the tenant.
      expect(changes[2].actor.ip).toMatchObject({ $enc: 'v1' });
      expect(JSON.stringify(changes)).not.toContain(created.body.key);
    });
  });

  describe('row-level security', () => {
    it('should return no rows through the application role without the tenant setting, and only the tenant rows with it', async () => {
      const other = await createTenant(`rls-${suffix}`);
      expect((await post(`${system.url('ingest-api')}/v1/events`, other.apiKeys.ingest, anActionEventInput({ type: 'signal.rate_limited', sessionId: 'rls' }))).status).toBe(202);
      await waitForStored(other.tenantId, 2);

      const app = new Client({ connectionString: tenantRoleUrl(env.databaseUrl, TENANT_APP_ROLE) });
      await app.connect();
      try {
        expect((await app.query(`SELECT current_user`)).rows[0].current_user).toBe(TENANT_APP_ROLE);
        for (const table of ['audit_events', 'actions', 'checkpoints', 'subject_keys', 'api_keys', 'tenants']) {
          expect({ table, rows: (await app.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n }).toEqual({ table, rows: 0 });
        }
        await app.query('BEGIN');
        await app.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant.tenantId]);
        const seen = await app.query(`SELECT DISTINCT tenant_id::text AS t FROM audit_events`);
        expect(seen.rows).toEqual([{ t: tenant.tenantId }]);
        expect((await app.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n).toBe(await countStored(tenant.tenantId));
        await expect(app.query(`INSERT INTO subject_keys (tenant_id, subject_id, key_id) VALUES ($1, 'x', gen_random_uuid())`, [other.tenantId])).rejects.toThrow(/row-level security/);
        await app.query('ROLLBACK');
        await expect(app.query(`UPDATE audit_events SET type = 'x'`)).rejects.toThrow(/permission denied/);
      } finally {
        await app.end();
      }
    });

    it('should show tenant B nothing of tenant A through the endpoints', async () => {
      const other = await createTenant(`isolated-${suffix}`);
      await waitForStored(other.tenantId, 1); // its own tenant.created change
      await waitForCheckpointAtHeads(other.tenantId); // ok only once a signed checkpoint covers it
      expect((await get(`/v1/integrity/verify`, other.apiKeys.read)).body).toMatchObject({ ok: true, eventsChecked: 1 });
      const exported = (await get(`/v1/subjects/cust-8/export`, other.apiKeys.admin)).body as { keys: unknown[]; events: unknown[] };
      expect(exported).toMatchObject({ keys: [], events: [] });
      const erased = await post(`${system.url('audit-api')}/v1/subjects/cust-8/erase`, other.apiKeys.admin, {});
      expect(erased.body).toMatchObject({ keysErased: 0, eventsAffected: 0 });
      const stillThere = (await get(`/v1/subjects/cust-8/export`, privacyKey)).body as { events: { subject: { pii: unknown } }[] };
      expect(stillThere.events[0].subject.pii).toEqual({ email: `${piiMarker}-8@example.com` });
    });
  });

  describe('OpenAPI', () => {
    it('should serve an OpenAPI document at /docs-json whose parameters come from the validation schemas', async () => {
      const doc = (await (await fetch(`${system.url('audit-api')}/docs-json`)).json()) as { openapi: string; paths: Record<string, Record<string, { parameters?: { name: string; required: boolean }[] }>> };
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.paths['/v1/integrity/verify'].get.parameters?.map((p) => [p.name, p.required])).toEqual([['from', false], ['to', false]]);
      expect(doc.paths['/v1/admin/tenants'].post).toMatchObject({ requestBody: { content: { 'application/json': { schema: { properties: { name: expect.any(Object) }, required: ['name'] } } } } });
      expect((await fetch(`${system.url('audit-api')}/docs`)).status).toBe(200);
    });
  });

  // ---------------------------------------------------------------------------------------------

  const createTenant = (name: string) => system.createTenant(name);
  const post = <T = Record<string, unknown>>(url: string, key: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> =>
    system.http<T>('POST', url, { key, json: body, headers });
  const get = (path: string, key: string) => system.api('GET', path, key);
  const countStored = (tenantId: string) => system.countStored(tenantId);
  const waitForStored = (tenantId: string, n: number) => system.waitForStored(tenantId, n);
  const waitForCheckpointAtHeads = (tenantId: string) => system.waitForCheckpointAtHeads(tenantId);
});
