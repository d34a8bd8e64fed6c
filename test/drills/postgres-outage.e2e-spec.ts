import { anActionEventInput, freePort, httpStatus, LedgerSystem, serviceDatabaseUrl, ServiceProcess, stackEnv, uniqueSuffix, waitFor, type TestTenant } from '@agent-ledger/testing';
import { TcpProxy } from './tcp-proxy';

/**
 * Ingest while PostgreSQL is unreachable: keys and redaction settings seen recently are served from
 * their cached copy (bounded), a key never seen is answered 503 auth_unavailable with Retry-After,
 * an announced revocation is honoured at once — and nothing answers 500.
 */
describe('ingest while PostgreSQL is unreachable', () => {
  let proxy: TcpProxy;
  let system: LedgerSystem;

  beforeAll(async () => {
    const db = new URL(serviceDatabaseUrl('ingest-api', stackEnv().databaseUrl)!);
    proxy = await new TcpProxy(await freePort(), { host: db.hostname, port: Number(db.port || 5432) }).open();
    const proxied = new URL(db);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    system = new LedgerSystem({
      services: ['audit-api', 'ingest-api'],
      env: { 'ingest-api': { DATABASE_URL: proxied.toString(), AUTH_CACHE_TTL_MS: '500', INGEST_TENANT_CACHE_TTL_MS: '500' } },
    });
    await system.start();
  });

  afterAll(async () => {
    await system?.stop();
    await proxy?.close();
  });

  const event = (tag: string) => anActionEventInput({ type: 'signal.rate_limited', sessionId: `pg-outage-${tag}` });

  it('should answer 503 auth_unavailable with Retry-After when PostgreSQL cannot be reached and the key was never seen', async () => {
    const nothingListens = await freePort();
    const ingest = new ServiceProcess('ingest-api', await freePort(), {
      ...system.envOf('ingest-api'),
      DATABASE_URL: `postgres://agent_ledger_ingest@127.0.0.1:${nothingListens}/agent_ledger_test`,
    }).start();
    try {
      await waitFor(async () => (await httpStatus(`${ingest.url}/health/live`)) === 200, { timeoutMs: 30_000, what: 'ingest-api live' });
      const key = `alk_ingest_${'A'.repeat(43)}`;
      const answers = await Promise.all(Array.from({ length: 5 }, () => system.http('POST', `${ingest.url}/v1/events`, { key, json: event('never-seen') })));
      for (const answer of answers) {
        expect(answer).toMatchObject({ status: 503, body: { error: { status: 503, code: 'auth_unavailable' } } });
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(answer.ms).toBeLessThan(5_000);
      }
      expect(ingest.logs()).not.toContain('unhandled error');
    } finally {
      await ingest.stop();
    }
  });

  it('should accept events with a key seen recently, refuse one never seen and one revoked meanwhile with 503, and recover when PostgreSQL is back', async () => {
    const seen: TestTenant = await system.createTenant(`pg-seen-${uniqueSuffix()}`);
    const unseen: TestTenant = await system.createTenant(`pg-unseen-${uniqueSuffix()}`);
    const doomed: TestTenant = await system.createTenant(`pg-doomed-${uniqueSuffix()}`);
    expect((await system.postEvents(seen.apiKeys.ingest, event('before'))).status).toBe(202);
    expect((await system.postEvents(doomed.apiKeys.ingest, event('before'))).status).toBe(202);

    await proxy.close();
    try {
      // Past the fresh period: the copies are now stale and PostgreSQL is asked (and fails) first.
      await new Promise((r) => setTimeout(r, 700));
      const stale = await system.postEvents(seen.apiKeys.ingest, event('during'));
      expect(stale).toMatchObject({ status: 202 });

      const never = await system.postEvents(unseen.apiKeys.ingest, event('during'));
      expect(never).toMatchObject({ status: 503, body: { error: { code: 'auth_unavailable' } } });
      expect(Number(never.headers.get('retry-after'))).toBeGreaterThan(0);

      // audit-api still reaches PostgreSQL: the revocation is stored and announced over Redis.
      const doomedIngestKey = doomed.keys.find((k) => k.scopes.includes('ingest'))!;
      expect((await system.api('DELETE', `/v1/admin/keys/${doomedIngestKey.keyId}`, system.rootKey)).status).toBe(200);
      const revoked = await waitFor(
        async () => {
          const answer = await system.postEvents(doomed.apiKeys.ingest, event('revoked'));
          return answer.status === 202 ? undefined : answer;
        },
        { timeoutMs: 3_000, intervalMs: 100, what: 'the revoked key to be refused while PostgreSQL is unreachable' },
      );
      expect(revoked).toMatchObject({ status: 503, body: { error: { code: 'auth_unavailable' } } });
    } finally {
      await proxy.open();
    }

    const back = await waitFor(
      async () => {
        const answer = await system.postEvents(unseen.apiKeys.ingest, event('after'));
        return answer.status === 202 ? answer : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'ingest to accept a new key once PostgreSQL is reachable' },
    );
    expect(back.status).toBe(202);
    expect(await system.postEvents(doomed.apiKeys.ingest, event('after'))).toMatchObject({ status: 401, body: { error: { code: 'invalid_api_key' } } });
    await waitFor(async () => (await httpStatus(`${system.url('ingest-api')}/health/ready`)) === 200, { timeoutMs: 15_000, what: 'ingest-api ready again' });
    expect(system.service('ingest-api').logs()).not.toContain('unhandled error');
  });
});
