import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3ArchiveStore } from '@agent-ledger/archive-store';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { Client } from 'pg';
import { cleanEnv, runCli } from '../cli/cli-runner';

/**
 * Retention end to end (docs/retention.md): ingest → projector → checkpoint → a purge run through
 * audit-api and the retention worker → archive, retention.purged record, deletion → verification
 * online, offline and against the archive, in a directory and in a real S3-compatible server.
 */
describe('retention purge', () => {
  const system = new LedgerSystem({ services: ['ingest-api', 'audit-projector', 'audit-api', 'retention-worker'], checkpointEveryMs: 300 });
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  beforeAll(() => system.start(), 120_000);
  afterAll(() => system.stop());

  async function setPolicy(tenant: TestTenant, body: Record<string, unknown>): Promise<void> {
    const r = await system.api('PUT', '/v1/retention', tenant.apiKeys.admin, body);
    expect({ status: r.status, body: r.body }).toMatchObject({ status: 200 });
  }

  /**
   * Posts `n` events (attempted + executed of n/2 actions), waits until stored and checkpointed;
   * returns their ids. The first action's approval was rejected: it carries an
   * `executed_after_rejection` finding.
   */
  async function postEvents(tenant: TestTenant, label: string, n: number): Promise<string[]> {
    const events = Array.from({ length: n }, (_, i) =>
      anActionEventInput({
        type: i % 2 ? 'action.executed' : 'action.attempted',
        actionId: `${label}-${Math.floor(i / 2)}`,
        sessionId: `s-${label}`,
        ...(i === 0 ? { approval: { required: true, decision: 'rejected' as const } } : {}),
      }),
    );
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    const ids = events.map((e) => e.eventId!);
    await waitFor(async () => (await stored(tenant, ids)) === n, { timeoutMs: 60_000, what: `${n} ${label} events stored` });
    await system.waitForCheckpointAtHeads(tenant.tenantId);
    return ids;
  }

  async function stored(tenant: TestTenant, ids: string[]): Promise<number> {
    const { rows } = await system.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND event_id = ANY ($2::uuid[])`, [tenant.tenantId, ids]);
    return rows[0].n;
  }

  async function findingsOf(tenant: TestTenant, label: string): Promise<string[]> {
    const { rows } = await system.db.query(`SELECT action_id || ':' || code AS f FROM action_anomaly_findings WHERE tenant_id = $1 AND action_id LIKE $2 ORDER BY 1`, [tenant.tenantId, `${label}-%`]);
    return rows.map((r) => r.f);
  }

  async function actionsOf(tenant: TestTenant, label: string): Promise<number> {
    const { rows } = await system.db.query(`SELECT count(*)::int AS n FROM actions WHERE tenant_id = $1 AND action_id LIKE $2`, [tenant.tenantId, `${label}-%`]);
    return rows[0].n;
  }

  /** Waits until the tenant's newest checkpoint is older than `seconds` (rows it signs are due under PT<seconds>S). */
  async function untilCheckpointOlderThan(tenant: TestTenant, seconds: number): Promise<void> {
    await waitFor(
      async () => {
        const { rows } = await system.db.query(`SELECT now() - max(created_at) > make_interval(secs => $2) AS due FROM checkpoints WHERE tenant_id = $1`, [tenant.tenantId, seconds]);
        return rows[0].due === true;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the checkpoint to pass the horizon' },
    );
  }

  /** Escalations and deliveries of the tenant (as the projector and notifier would have written them), an hour old or new. */
  async function seedEscalationsAndDeliveries(t: TestTenant) {
    const escalations = { resolved: randomUUID(), open: randomUUID(), recent: randomUUID() };
    const deliveries = { delivered: randomUUID(), pending: randomUUID() };
    const escalation = (id: string, status: string, age: string) =>
      system.db.query(
        `INSERT INTO escalations (escalation_id, tenant_id, session_id, reason, severity, status, summary, customer_message, count, opened_at, last_seen_at, updated_at)
         VALUES ($1, $2, 's-old', 'error_threshold', 'high', $3, 'summary', 'message', 1, now() - $4::interval, now() - $4::interval, now() - $4::interval)`,
        [id, t.tenantId, status, age],
      );
    await escalation(escalations.resolved, 'resolved', '1 hour');
    await escalation(escalations.open, 'open', '1 hour');
    await escalation(escalations.recent, 'resolved', '-1 hour');
    await system.db.query(`INSERT INTO escalation_events (event_id, tenant_id, escalation_id, type, occurred_at, payload) VALUES ($1, $2, $3, 'escalation.resolved', now(), '{}')`, [randomUUID(), t.tenantId, escalations.resolved]);
    const delivery = (id: string, status: string) =>
      system.db.query(
        `INSERT INTO deliveries (id, tenant_id, dedup_key, event_type, channel, target, message_id, payload, status, job_id, created_at, updated_at)
         VALUES ($1, $2, $4, 'escalation.opened', 'email', 'ops@example.com', $4, '{}', $3, $4, now() - interval '1 hour', now() - interval '1 hour')`,
        [id, t.tenantId, status, `retention-${id}`],
      );
    await delivery(deliveries.delivered, 'delivered');
    await delivery(deliveries.pending, 'pending');
    return { escalations, deliveries };
  }

  async function runRetention(tenant: TestTenant, apiKey = tenant.apiKeys.admin): Promise<Record<string, unknown>> {
    const started = await system.api<{ runId: string }>('POST', '/v1/retention/runs', apiKey);
    expect(started.status).toBe(202);
    let run: Record<string, unknown> = {};
    await waitFor(
      async () => {
        run = (await system.api('GET', `/v1/retention/runs/${started.body.runId}`, apiKey)).body;
        return run.state === 'completed' || run.state === 'failed';
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'the retention run to end' },
    );
    return run;
  }

  async function verifyStatus(tenant: TestTenant): Promise<Record<string, unknown>> {
    let report: Record<string, unknown> = {};
    await waitFor(
      async () => {
        report = (await system.api('GET', '/v1/integrity/verify', tenant.apiKeys.read)).body;
        return report.status !== 'unverified';
      },
      { timeoutMs: 30_000, intervalMs: 300, what: 'the record signed by a checkpoint' },
    ).catch(() => undefined);
    return report;
  }

  const cliEnv = (tenant: TestTenant, extra: NodeJS.ProcessEnv = {}) =>
    cleanEnv({ LEDGER_URL: system.url('audit-api'), LEDGER_API_KEY: tenant.apiKeys.read, LEDGER_SIGNING_PUBLIC_KEY: system.publicKeyBase64, ...extra });

  let tenant: TestTenant;
  let oldIds: string[];
  let recentIds: string[];
  let run: Record<string, unknown>;

  it('should archive, record and delete the rows past PT5S, keeping the recent ones', async () => {
    tenant = await system.createTenant(`retention-${system.suffix}`);
    await setPolicy(tenant, { retainFor: 'PT5S' });
    oldIds = await postEvents(tenant, 'old', 20);
    await untilCheckpointOlderThan(tenant, 5);
    recentIds = await postEvents(tenant, 'recent', 4);
    const escalations = await seedEscalationsAndDeliveries(tenant);
    expect(await findingsOf(tenant, 'old')).toEqual(['old-0:executed_after_rejection']);

    run = await runRetention(tenant);

    expect(run).toMatchObject({ state: 'completed', result: { tenantId: tenant.tenantId, outcome: 'purged' } });
    expect(await stored(tenant, oldIds)).toBe(0);
    expect(await stored(tenant, recentIds)).toBe(4);
    expect(await actionsOf(tenant, 'old')).toBe(0);
    expect(await actionsOf(tenant, 'recent')).toBe(2);
    // The findings of the purged actions go with them.
    expect(await findingsOf(tenant, 'old')).toEqual([]);
    expect(await findingsOf(tenant, 'recent')).toEqual(['recent-0:executed_after_rejection']);
    // Resolved escalations and finished deliveries of the purged period go; open or later ones stay.
    const left = async (table: string, column: string, ids: string[]) =>
      (await system.db.query(`SELECT ${column}::text AS id FROM ${table} WHERE ${column} = ANY ($1::uuid[]) ORDER BY 1`, [ids])).rows.map((r) => r.id);
    expect(await left('escalations', 'escalation_id', Object.values(escalations.escalations))).toEqual([escalations.escalations.open, escalations.escalations.recent].sort());
    expect(await left('escalation_events', 'escalation_id', [escalations.escalations.resolved])).toEqual([]);
    expect(await left('deliveries', 'id', Object.values(escalations.deliveries))).toEqual([escalations.deliveries.pending]);
    expect(run.result).toMatchObject({ deleted: { events: (run.result as { events: number }).events, escalations: 1, deliveries: 1 } });
  });

  it('should write the archive and a manifest that matches it and the signed checkpoint', async () => {
    const result = run.result as { purgeId: string; events: number; archive: { object: string; manifest: string; sha256: string } };
    const files = (await readdir(path.join(system.archiveDir, 'tenants', tenant.tenantId))).sort();
    expect(files).toEqual([path.basename(result.archive.object), path.basename(result.archive.manifest)].sort());
    const body = await readFile(path.join(system.archiveDir, result.archive.object));
    const manifest = JSON.parse(await readFile(path.join(system.archiveDir, result.archive.manifest), 'utf8'));

    expect(manifest).toMatchObject({ format: 'agent-ledger.archive.v1', tenantId: tenant.tenantId, purgeId: result.purgeId, ordinal: 1, sha256: sha256(body), bytes: body.length, events: result.events });
    for (const chain of manifest.chains) {
      const head = manifest.checkpoint.heads.find((h: { partition: number }) => h.partition === chain.partition);
      expect({ toSeq: chain.toSeq, lastHash: chain.lastHash }).toEqual({ toSeq: head.chainSeq, lastHash: head.hash });
    }
    // Every old event is in the archive (the first policy change too: it was recorded before them).
    const { gunzipSync } = await import('node:zlib');
    const archivedIds = gunzipSync(body).toString('utf8').trim().split('\n').map((l) => JSON.parse(l).eventId);
    expect(archivedIds).toEqual(expect.arrayContaining(oldIds));
    expect(archivedIds).toHaveLength(result.events);
  });

  it('should record the policy change and the purge in the tenant chain', async () => {
    const purged = await system.api<{ items: { event: { resource: { id: string } } }[] }>('GET', '/v1/events?type=retention.purged', tenant.apiKeys.read);
    expect(purged.body.items.map((e) => e.event.resource.id)).toEqual([(run.result as { purgeId: string }).purgeId]);
    const changes = await system.api<{ items: unknown[] }>('GET', '/v1/events?type=change.recorded&resourceType=retention_policy', tenant.apiKeys.read);
    // The policy change was recorded before the purged period ended: archived, not live any more.
    const archivedPolicy = (await system.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND resource_type = 'retention_policy'`, [tenant.tenantId])).rows[0].n;
    expect(changes.body.items).toHaveLength(archivedPolicy);
  });

  it('should verify ok online, offline and against the archive across the purge', async () => {
    const report = await verifyStatus(tenant);
    expect({ status: report.status, failures: report.failures }).toEqual({ status: 'ok', failures: [] });

    const online = await runCli(['verify', '--archive', system.archiveDir], cliEnv(tenant));
    expect({ code: online.code, stdout: online.stdout, stderr: online.stderr }).toMatchObject({ code: 0 });
    expect(online.stdout).toMatch(/^ok: /);

    const work = await mkdtemp(path.join(tmpdir(), 'retention-offline-'));
    try {
      const events = path.join(work, 'chain.jsonl');
      const checkpoints = path.join(work, 'checkpoints.jsonl');
      expect((await runCli(['export-chain', '--out', events], cliEnv(tenant))).code).toBe(0);
      const cps = await fetch(`${system.url('audit-api')}/v1/integrity/checkpoints`, { headers: { authorization: `Bearer ${tenant.apiKeys.read}` } });
      await writeFile(checkpoints, await cps.text());
      const offline = await runCli(['verify', '--offline', '--events', events, '--checkpoints', checkpoints], cliEnv(tenant));
      expect({ code: offline.code, stdout: offline.stdout }).toMatchObject({ code: 0 });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('should detect a changed byte, a missing object and a misplaced object in the archive', async () => {
    const result = run.result as { archive: { object: string; manifest: string } };
    const copy = await mkdtemp(path.join(tmpdir(), 'retention-tampered-'));
    try {
      await cp(system.archiveDir, copy, { recursive: true });
      const object = path.join(copy, result.archive.object);
      const bytes = await readFile(object);
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      await writeFile(object, bytes);
      const altered = await runCli(['verify', '--archive', copy], cliEnv(tenant));
      expect({ code: altered.code, out: altered.stdout }).toMatchObject({ code: 1, out: expect.stringContaining('archive_altered') });

      await rm(object);
      const missing = await runCli(['verify', '--archive', copy], cliEnv(tenant));
      expect({ code: missing.code, out: missing.stdout }).toMatchObject({ code: 1, out: expect.stringContaining('archive_missing') });

      await cp(path.join(system.archiveDir, result.archive.object), object);
      const manifest = path.join(copy, result.archive.manifest);
      await cp(manifest, path.join(copy, 'tenants', tenant.tenantId, '000000_moved.manifest.json'));
      await rm(manifest);
      const moved = await runCli(['verify', '--archive', copy], cliEnv(tenant));
      expect({ code: moved.code, out: moved.stdout }).toMatchObject({ code: 1, out: expect.stringMatching(/archive_(missing|unrecorded)/) });
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('should answer 409 with the archives for a query before the horizon, and live rows after it', async () => {
    const horizon = (await system.api<{ horizon: string }>('GET', '/v1/retention', tenant.apiKeys.admin)).body.horizon;
    expect(typeof horizon).toBe('string');
    const before = await system.api<{ error: { code: string } }>('GET', `/v1/events?from=${encodeURIComponent(new Date(Date.parse(horizon) - 60_000).toISOString())}`, tenant.apiKeys.read);
    expect({ status: before.status, code: before.body.error?.code }).toEqual({ status: 409, code: 'before_retention_horizon' });
    const after = await system.api<{ items: { eventId: string }[] }>('GET', `/v1/events?from=${encodeURIComponent(horizon)}&limit=100`, tenant.apiKeys.read);
    expect(after.status).toBe(200);
    expect(after.body.items.map((e) => e.eventId)).toEqual(expect.arrayContaining(recentIds));
  });

  it('should refuse every DELETE the purge does not cover, also to the retention role', async () => {
    const asRole = new Client({ connectionString: system.databaseUrlOf('retention-worker') });
    await asRole.connect();
    try {
      await expect(asRole.query(`DELETE FROM audit_events WHERE tenant_id = $1`, [tenant.tenantId])).rejects.toMatchObject({ code: '42501' });
      await expect(asRole.query(`UPDATE audit_events SET type = type WHERE tenant_id = $1`, [tenant.tenantId])).rejects.toMatchObject({ code: '42501' });
      await expect(asRole.query(`DELETE FROM checkpoints WHERE tenant_id = $1`, [tenant.tenantId])).rejects.toMatchObject({ code: '42501' });
    } finally {
      await asRole.end();
    }
    expect(await stored(tenant, recentIds)).toBe(4);
  });

  it('should not purge under a legal hold, and purge at the next run once it is lifted', async () => {
    const held = await system.createTenant(`retention-hold-${system.suffix}`);
    await setPolicy(held, { retainFor: 'PT5S', legalHold: true });
    const ids = await postEvents(held, 'held', 6);
    await untilCheckpointOlderThan(held, 5);

    expect(await runRetention(held)).toMatchObject({ state: 'completed', result: { outcome: 'legal_hold' } });
    expect(await stored(held, ids)).toBe(6);

    await setPolicy(held, { legalHold: false });
    expect(await runRetention(held)).toMatchObject({ state: 'completed', result: { outcome: 'purged' } });
    expect(await stored(held, ids)).toBe(0);
    const report = await verifyStatus(held);
    expect({ status: report.status, failures: report.failures }).toEqual({ status: 'ok', failures: [] });
  });

  it('should purge once when two workers run the same tenant at the same time, and drop an empty past partition', async () => {
    await system.db.query(`SELECT ensure_audit_events_partition('2020-01-01')`);
    const busy = await system.createTenant(`retention-race-${system.suffix}`);
    await setPolicy(busy, { retainFor: 'PT5S' });
    const ids = await postEvents(busy, 'race', 10);
    await untilCheckpointOlderThan(busy, 5);
    await system.startInstance('retention-worker');

    const runs = await Promise.all([runRetention(busy), runRetention(busy)]);

    const outcomes = runs.map((r) => (r.result as { outcome: string }).outcome).sort();
    expect(outcomes.filter((o) => o === 'purged')).toHaveLength(1);
    expect(outcomes.every((o) => ['purged', 'busy', 'nothing_to_purge'].includes(o))).toBe(true);
    const { rows } = await system.db.query(`SELECT count(*)::int AS n FROM retention_purges WHERE tenant_id = $1`, [busy.tenantId]);
    expect(rows[0].n).toBe(1);
    expect((await readdir(path.join(system.archiveDir, 'tenants', busy.tenantId))).filter((f) => f.endsWith('.jsonl.gz'))).toHaveLength(1);
    expect(await stored(busy, ids)).toBe(0);
    const part = await system.db.query(`SELECT to_regclass('audit_events_2020_01') AS p`);
    expect(part.rows[0].p).toBeNull();
  });

  it('should archive to a real S3-compatible server and verify from it', async () => {
    const s3 = {
      ARCHIVE_S3_BUCKET: process.env.S3PROXY_BUCKET!,
      ARCHIVE_S3_PREFIX: `test-${system.suffix}`,
      ARCHIVE_S3_ENDPOINT: process.env.S3PROXY_ENDPOINT!,
      ARCHIVE_S3_ACCESS_KEY_ID: process.env.S3PROXY_ACCESS_KEY_ID!,
      ARCHIVE_S3_SECRET_ACCESS_KEY: process.env.S3PROXY_SECRET_ACCESS_KEY!,
    };
    // Only the S3 worker takes jobs from here on.
    await system.stopInstances('retention-worker');
    await system.startInstance('retention-worker', s3);
    const remote = await system.createTenant(`retention-s3-${system.suffix}`);
    await setPolicy(remote, { retainFor: 'PT5S' });
    const ids = await postEvents(remote, 's3', 8);
    await untilCheckpointOlderThan(remote, 5);

    const s3Run = await runRetention(remote);

    expect(s3Run).toMatchObject({ state: 'completed', result: { outcome: 'purged', archive: { location: `s3://${s3.ARCHIVE_S3_BUCKET}/${s3.ARCHIVE_S3_PREFIX}` } } });
    expect(await stored(remote, ids)).toBe(0);
    const store = new S3ArchiveStore({ bucket: s3.ARCHIVE_S3_BUCKET, prefix: s3.ARCHIVE_S3_PREFIX, endpoint: s3.ARCHIVE_S3_ENDPOINT, accessKeyId: s3.ARCHIVE_S3_ACCESS_KEY_ID, secretAccessKey: s3.ARCHIVE_S3_SECRET_ACCESS_KEY, forcePathStyle: true });
    const archive = (s3Run.result as { archive: { object: string; manifest: string; sha256: string } }).archive;
    const body = await store.get(archive.object);
    const manifest = JSON.parse((await store.get(archive.manifest))!.toString('utf8'));
    expect(manifest.sha256).toBe(sha256(body!));
    expect(archive.sha256).toBe(manifest.sha256);

    const verified = await runCli(['verify', '--archive', `s3://${s3.ARCHIVE_S3_BUCKET}/${s3.ARCHIVE_S3_PREFIX}`], cliEnv(remote, s3));
    expect({ code: verified.code, stdout: verified.stdout, stderr: verified.stderr }).toMatchObject({ code: 0 });
  });
});
