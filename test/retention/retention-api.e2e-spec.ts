import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { LedgerSystem, uniqueSuffix, waitFor, type HttpAnswer, type TestTenant } from '@agent-ledger/testing';

/** The retention queue (libs/contracts RETENTION_QUEUE), under a BullMQ prefix of this suite's own: no retention worker takes its jobs. */
const RETENTION_QUEUE = 'agent-ledger.retention';
const QUEUE_PREFIX = `retention-api-${uniqueSuffix()}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type ErrorAnswer = { error: { status: number; code: string; message: string; field?: string; errors?: { field: string }[]; horizon?: string; archives?: unknown[] } };

/**
 * audit-api's side of retention (docs/retention.md): the policy per tenant (GET/PUT /v1/retention,
 * recorded in the tenant's ledger), on-demand runs queued in BullMQ for the retention worker, and the
 * retention horizon of queries and exports. audit-api and the projector (for the change records) run;
 * no retention worker does, so queued runs stay queued (the queue is removed afterwards).
 */
describe('retention API', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'audit-projector'], env: { 'audit-api': { RETENTION_QUEUE_PREFIX: QUEUE_PREFIX } } });
  const { db, suffix } = system;
  const connection = new Redis(system.stack.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(RETENTION_QUEUE, { connection, prefix: QUEUE_PREFIX });
  let tenant: TestTenant;

  const api = <T = Record<string, unknown>>(method: string, path: string, key: string, json?: unknown) => system.api<T>(method, path, key, json);
  const adminKeyIdOf = (t: TestTenant) => t.keys.find((k) => k.scopes.includes('admin'))!.keyId;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`retention-${suffix}`);
  });

  afterAll(async () => {
    // The suite's own queue, jobs and keys: nothing is left in Redis.
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await connection.quit();
    await system.stop();
  });

  describe('GET and PUT /v1/retention', () => {
    it('should answer the default policy, no horizon and no purges when the tenant never set a policy', async () => {
      const answer = await api('GET', '/v1/retention', tenant.apiKeys.admin);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ policy: { retainFor: 'P90D', archive: true, legalHold: false, updatedAt: null, default: true }, horizon: null, purges: [] });
    });

    it('should change only the fields given and keep the others when a policy is put', async () => {
      const first = await api<{ policy: Record<string, unknown> }>('PUT', '/v1/retention', tenant.apiKeys.admin, { retainFor: 'PT5S' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ policy: { retainFor: 'PT5S', archive: true, legalHold: false, default: false }, horizon: null, purges: [] });
      expect(new Date(first.body.policy.updatedAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);

      const second = await api('PUT', '/v1/retention', tenant.apiKeys.admin, { legalHold: true, archive: false });
      expect(second).toMatchObject({ status: 200, body: { policy: { retainFor: 'PT5S', archive: false, legalHold: true, default: false } } });
      expect((await api('GET', '/v1/retention', tenant.apiKeys.admin)).body).toEqual(second.body);

      const { rows } = await db.query(`SELECT retain_for, archive, legal_hold, retain_for::interval = interval '5 seconds' AS five FROM retention_policies WHERE tenant_id = $1`, [tenant.tenantId]);
      expect(rows).toEqual([{ retain_for: 'PT5S', archive: false, legal_hold: true, five: true }]);

      const third = await api('PUT', '/v1/retention', tenant.apiKeys.admin, { retainFor: 'P1Y2M3W4DT5H6M7S', legalHold: false });
      expect(third).toMatchObject({ status: 200, body: { policy: { retainFor: 'P1Y2M3W4DT5H6M7S', archive: false, legalHold: false } } });
    });

    it.each([
      ['no field', {}, '(body)'],
      ['an unknown field', { retainFor: 'P1D', retentionDays: 30 }, '/retentionDays'],
      ['retainFor of the wrong type', { retainFor: 30 }, '/retainFor'],
      ['archive of the wrong type', { archive: 'yes' }, '/archive'],
      ['legalHold of the wrong type', { legalHold: 1 }, '/legalHold'],
      ['retainFor "P"', { retainFor: 'P' }, '/retainFor'],
      ['retainFor "PT"', { retainFor: 'PT' }, '/retainFor'],
      ['a negative retainFor', { retainFor: '-P1D' }, '/retainFor'],
      ['a negative amount', { retainFor: 'P-1D' }, '/retainFor'],
      ['a fraction', { retainFor: 'PT0.5S' }, '/retainFor'],
      ['a zero duration', { retainFor: 'PT0S' }, '/retainFor'],
      ['more than P100Y', { retainFor: 'P101Y' }, '/retainFor'],
      ['garbage', { retainFor: '90 days' }, '/retainFor'],
    ])('should answer 400 naming the field and keep the policy when the body has %s', async (_what, body, field) => {
      const before = (await api('GET', '/v1/retention', tenant.apiKeys.admin)).body;
      const answer = await api<ErrorAnswer>('PUT', '/v1/retention', tenant.apiKeys.admin, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ status: 400, code: 'validation_failed', field });
      expect(answer.body.error.errors?.map((e) => e.field)).toContain(field);
      expect((await api('GET', '/v1/retention', tenant.apiKeys.admin)).body).toEqual(before);
    });

    it('should answer 400 with a message naming the bounds when retainFor is out of range', async () => {
      expect((await api<ErrorAnswer>('PUT', '/v1/retention', tenant.apiKeys.admin, { retainFor: 'PT0S' })).body.error.message).toMatch(/at least PT1S/);
      expect((await api<ErrorAnswer>('PUT', '/v1/retention', tenant.apiKeys.admin, { retainFor: 'P101Y' })).body.error.message).toMatch(/at most P100Y/);
    });

    it('should answer 403 insufficient_scope when a read key calls the retention endpoints', async () => {
      const calls: [string, string, unknown?][] = [
        ['GET', '/v1/retention'],
        ['PUT', '/v1/retention', { legalHold: true }],
        ['POST', '/v1/retention/runs'],
        ['GET', `/v1/retention/runs/${randomUUID()}`],
      ];
      for (const [method, path, body] of calls) {
        const answer = await api<ErrorAnswer>(method, path, tenant.apiKeys.read, body);
        expect([path, answer.status, answer.body.error.code]).toEqual([path, 403, 'insufficient_scope']);
      }
      expect((await api('GET', '/v1/retention', tenant.apiKeys.admin)).body).toMatchObject({ policy: { legalHold: false } });
    });

    it('should record each policy change in the tenant ledger with the policy before and after when a policy is put', async () => {
      const other = await system.createTenant(`retention-changes-${suffix}`);
      expect((await api('PUT', '/v1/retention', other.apiKeys.admin, { retainFor: 'P30D' })).status).toBe(200);
      expect((await api('PUT', '/v1/retention', other.apiKeys.admin, { legalHold: true })).status).toBe(200);

      type Listed = { items: { event: { type: string; resource: { type: string; id: string }; changes: { before: unknown; after: unknown }; metadata: Record<string, unknown> } }[] };
      const changes = await waitFor(
        async () => {
          const listed = await api<Listed>('GET', '/v1/events?type=change.recorded&resourceType=retention_policy', other.apiKeys.read);
          return listed.status === 200 && listed.body.items.length >= 2 && listed.body.items;
        },
        { timeoutMs: 30_000, what: 'two retention_policy changes in GET /v1/events' },
      );
      // Newest first.
      const [held, shortened] = changes.map((c) => c.event);
      expect(shortened).toMatchObject({
        type: 'change.recorded',
        resource: { type: 'retention_policy', id: other.tenantId },
        metadata: { action: 'retention_policy.updated', keyId: adminKeyIdOf(other) },
        changes: {
          before: { retainFor: 'P90D', archive: true, legalHold: false, updatedAt: null, default: true },
          after: { retainFor: 'P30D', archive: true, legalHold: false, default: false },
        },
      });
      expect(held.changes).toMatchObject({ before: { retainFor: 'P30D', legalHold: false, default: false }, after: { retainFor: 'P30D', legalHold: true, default: false } });
    });
  });

  describe('retention runs', () => {
    it('should queue a BullMQ job with the tenant, run id and requesting key when a run is requested', async () => {
      const answer = await api<{ runId: string; state: string }>('POST', '/v1/retention/runs', tenant.apiKeys.admin);
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ runId: expect.stringMatching(UUID), state: 'queued' });
      const { runId } = answer.body;

      const job = await queue.getJob(runId);
      expect(job).toBeDefined();
      expect(job!.id).toBe(runId);
      expect(job!.name).toBe('tenant');
      expect(job!.data).toEqual({ tenantId: tenant.tenantId, runId, requestedBy: adminKeyIdOf(tenant) });
      expect(job!.opts).toMatchObject({ removeOnComplete: { age: 86_400, count: 1_000 }, removeOnFail: { age: 7 * 86_400 } });
      expect(await job!.getState()).toBe('waiting');

      expect(await api('GET', `/v1/retention/runs/${runId}`, tenant.apiKeys.admin)).toMatchObject({ status: 200, body: { runId, state: 'queued' } });
    });

    it('should give each run its own id when runs are requested one after the other', async () => {
      const a = await api<{ runId: string }>('POST', '/v1/retention/runs', tenant.apiKeys.admin);
      const b = await api<{ runId: string }>('POST', '/v1/retention/runs', tenant.apiKeys.admin);
      expect(a.body.runId).not.toBe(b.body.runId);
      expect((await queue.getJob(b.body.runId))?.data).toMatchObject({ tenantId: tenant.tenantId, runId: b.body.runId });
    });

    it("should answer 404 run_not_found when the run is another tenant's or unknown", async () => {
      const run = await api<{ runId: string }>('POST', '/v1/retention/runs', tenant.apiKeys.admin);
      const other = await system.createTenant(`retention-other-${suffix}`);
      const answer = await api<ErrorAnswer>('GET', `/v1/retention/runs/${run.body.runId}`, other.apiKeys.admin);
      expect(answer).toMatchObject({ status: 404, body: { error: { status: 404, code: 'run_not_found', field: 'runId' } } });
      expect(await api('GET', `/v1/retention/runs/${randomUUID()}`, tenant.apiKeys.admin)).toMatchObject({ status: 404, body: { error: { code: 'run_not_found' } } });
    });

    it('should answer 400 naming the field and queue nothing when the run request has a body field', async () => {
      const answer = await api<ErrorAnswer>('POST', '/v1/retention/runs', tenant.apiKeys.admin, { tenantId: randomUUID() });
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', field: '/tenantId' } } });
    });

    it('should answer 400 naming runId when the run id is not a UUID', async () => {
      expect(await api('GET', '/v1/retention/runs/not-a-run', tenant.apiKeys.admin)).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', field: 'runId' } } });
    });
  });

  it('should document the retention endpoints in the OpenAPI document', async () => {
    const doc = await system.http<{ paths: Record<string, Record<string, unknown>> }>('GET', `${system.url('audit-api')}/docs-json`);
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths['/v1/retention']).sort()).toEqual(['get', 'put']);
    expect(Object.keys(doc.body.paths['/v1/retention/runs'])).toEqual(['post']);
    expect(Object.keys(doc.body.paths['/v1/retention/runs/{runId}'])).toEqual(['get']);
    expect(JSON.stringify(doc.body.paths['/v1/retention'].put)).toContain('retainFor');
  });

  describe('the retention horizon of queries and exports', () => {
    let purged: TestTenant;
    const horizon = new Date(Math.floor(Date.now() / 1_000) * 1_000 - 3_600_000);
    const periodStart = new Date(horizon.getTime() - 86_400_000);
    const archive = {
      location: 'file:///var/lib/agent-ledger/archives',
      object: `tenants/x/${periodStart.toISOString()}.jsonl.gz`,
      manifest: `tenants/x/${periodStart.toISOString()}.manifest.json`,
      sha256: 'a'.repeat(64),
      bytes: 1234,
    };
    const before = new Date(horizon.getTime() - 60_000).toISOString();
    const after = new Date(horizon.getTime() + 60_000).toISOString();

    beforeAll(async () => {
      purged = await system.createTenant(`retention-horizon-${suffix}`);
      // What the retention worker leaves after a purge (written here as the superuser: no worker runs).
      await db.query(
        `INSERT INTO retention_purges (purge_id, tenant_id, ordinal, state, horizon, checkpoint_id, archive_required, archive, events, recorded_from, recorded_to, record_event_id, purged_at)
         VALUES ($1, $2, 1, 'purged', $3, $4, true, $5, 42, $6, $3, $7, now())`,
        [randomUUID(), purged.tenantId, horizon, randomUUID(), JSON.stringify(archive), periodStart, randomUUID()],
      );
      // Live rows after the horizon: the tenant.created change and a policy change, recorded now.
      expect((await api('PUT', '/v1/retention', purged.apiKeys.admin, { archive: true })).status).toBe(200);
      await system.waitForStored(purged.tenantId, 2);
    });

    it('should list the horizon and the purge with its archive when the tenant was purged', async () => {
      const answer = await api<{ horizon: string; purges: unknown[] }>('GET', '/v1/retention', purged.apiKeys.admin);
      expect(answer.status).toBe(200);
      expect(answer.body.horizon).toBe(horizon.toISOString());
      expect(answer.body.purges).toEqual([
        {
          purgeId: expect.stringMatching(UUID),
          ordinal: 1,
          state: 'purged',
          events: 42,
          horizon: horizon.toISOString(),
          recordedFrom: periodStart.toISOString(),
          recordedTo: horizon.toISOString(),
          createdAt: expect.any(String),
          purgedAt: expect.any(String),
          archive,
        },
      ]);
    });

    it.each([
      ['events', `/v1/events?from=${before}`],
      ['actions', `/v1/actions?from=${before}`],
      ['stats', `/v1/stats?from=${before}`],
      ['a CSV export', `/v1/export?from=${before}`],
      ['a JSON lines export', `/v1/export?format=jsonl&from=${before}&to=${after}`],
    ])('should answer 409 before_retention_horizon with the horizon and the archives when %s start before the horizon', async (_what, path) => {
      const answer = await api<ErrorAnswer>('GET', path, purged.apiKeys.read);
      expect(answer.status).toBe(409);
      expect(answer.body).toEqual({
        error: {
          status: 409,
          code: 'before_retention_horizon',
          message: expect.stringContaining(horizon.toISOString()),
          field: 'from',
          horizon: horizon.toISOString(),
          archives: [{ object: archive.object, manifest: archive.manifest, location: archive.location }],
        },
      });
    });

    it('should answer 409 on the window field when a named statistics window reaches before the horizon, and 200 for the default window', async () => {
      const named = await api<ErrorAnswer>('GET', '/v1/stats?window=24h', purged.apiKeys.read);
      expect({ status: named.status, code: named.body.error.code, field: named.body.error.field }).toEqual({ status: 409, code: 'before_retention_horizon', field: 'window' });
      expect((await api('GET', '/v1/stats?window=1h', purged.apiKeys.read)).status).toBe(200);
      expect((await api('GET', '/v1/stats', purged.apiKeys.read)).status).toBe(200);
    });

    it('should answer from the live rows when from is at or after the horizon, or not given', async () => {
      type Page = { items: { event: { type: string } }[] };
      for (const from of [horizon.toISOString(), after]) {
        const events = await api<Page>('GET', `/v1/events?from=${encodeURIComponent(from)}`, purged.apiKeys.read);
        expect(events.status).toBe(200);
        expect(events.body.items.length).toBeGreaterThanOrEqual(2);
      }
      expect((await api('GET', `/v1/actions?from=${encodeURIComponent(after)}`, purged.apiKeys.read)).status).toBe(200);
      expect((await api('GET', `/v1/stats?from=${encodeURIComponent(after)}`, purged.apiKeys.read)).status).toBe(200);
      expect((await api<Page>('GET', '/v1/events', purged.apiKeys.read)).body.items.length).toBeGreaterThanOrEqual(2);

      const exported: HttpAnswer<{ text: string }> = await system.http('GET', `${system.url('audit-api')}/v1/export?format=jsonl&from=${encodeURIComponent(after)}`, { key: purged.apiKeys.read });
      expect(exported.status).toBe(200);
      expect(exported.body.text.trim().split('\n').length).toBeGreaterThanOrEqual(2);
    });

    it('should answer normally when a tenant never purged queries from long ago', async () => {
      expect((await api('GET', '/v1/events?from=2000-01-01T00:00:00Z', tenant.apiKeys.read)).status).toBe(200);
      expect((await system.http('GET', `${system.url('audit-api')}/v1/export?from=2000-01-01T00:00:00Z`, { key: tenant.apiKeys.read })).status).toBe(200);
    });
  });
});
