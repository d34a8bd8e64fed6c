import { anActionEventInput, freePort, LedgerSystem, serviceDatabaseUrl, stackEnv, uniqueSuffix, waitFor, type TestTenant } from '@agent-ledger/testing';
import { TcpProxy } from '../drills/tcp-proxy';

/**
 * Ingest encrypts PII before publishing (docs/privacy.md). While PostgreSQL is unreachable: a subject
 * whose key ingest holds keeps being accepted, events without PII are unaffected, and PII of a
 * subject whose key cannot be read is answered 503 pii_key_unavailable (retriable) — never accepted
 * in clear, never 202 then lost.
 */
describe('PII at ingest while PostgreSQL is unreachable', () => {
  let proxy: TcpProxy;
  let system: LedgerSystem;
  let tenant: TestTenant;

  const withPii = (subjectId: string) =>
    anActionEventInput({ type: 'signal.rate_limited', sessionId: `pii-outage-${subjectId}`, subject: { id: subjectId, pii: { email: `${subjectId}@example.com` } }, actor: { type: 'user', id: subjectId, ip: '192.0.2.10' } });
  const withoutPii = () => anActionEventInput({ type: 'signal.rate_limited', sessionId: 'pii-outage-plain' });

  beforeAll(async () => {
    const db = new URL(serviceDatabaseUrl('ingest-api', stackEnv().databaseUrl)!);
    proxy = await new TcpProxy(await freePort(), { host: db.hostname, port: Number(db.port || 5432) }).open();
    const proxied = new URL(db);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    system = new LedgerSystem({
      services: ['audit-api', 'ingest-api'],
      env: { 'ingest-api': { DATABASE_URL: proxied.toString(), AUTH_CACHE_TTL_MS: '500', INGEST_TENANT_CACHE_TTL_MS: '500', INGEST_PII_KEY_TIMEOUT_MS: '1000' } },
    });
    await system.start();
    tenant = await system.createTenant(`pii-outage-${uniqueSuffix()}`);
  });

  afterAll(async () => {
    await system?.stop();
    await proxy?.close();
  });

  it('should keep accepting known subjects and events without PII, and answer 503 pii_key_unavailable for a subject whose key cannot be read', async () => {
    expect((await system.postEvents(tenant.apiKeys.ingest, withPii('known'))).status).toBe(202);

    await proxy.close();
    try {
      await new Promise((r) => setTimeout(r, 700));
      expect(await system.postEvents(tenant.apiKeys.ingest, withPii('known'))).toMatchObject({ status: 202 });
      expect(await system.postEvents(tenant.apiKeys.ingest, withoutPii())).toMatchObject({ status: 202 });

      const unknown = await system.postEvents(tenant.apiKeys.ingest, { events: [withoutPii(), withPii('new-subject')] });
      expect(unknown).toMatchObject({ status: 503, body: { error: { status: 503, code: 'pii_key_unavailable' } } });
      expect(Number(unknown.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await proxy.open();
    }

    const back = await waitFor(
      async () => {
        const answer = await system.postEvents(tenant.apiKeys.ingest, withPii('new-subject'));
        return answer.status === 202 ? answer : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: "ingest to accept the new subject's PII once PostgreSQL is reachable" },
    );
    expect(back.status).toBe(202);
    expect(system.service('ingest-api').logs()).not.toContain('unhandled error');
  }, 60_000);
});
