import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { anActionEventInput, LedgerSystem, type ServiceProcess, type TestTenant } from '@agent-ledger/testing';

/** Events replayed over one stream while audit-api's memory is watched. */
const BULK_EVENTS = 200_000;
/** audit-api's V8 heap cap in this suite: holding the replay (~200 MB of SSE) would not fit in it. */
const HEAP_CAP_MB = 96;
/** The bound audit-api's resident memory must stay under while the replay streams to a slow reader. */
const MAX_RSS_MB = 250;
const POLL_MS = 500;

/** Resident set size of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A value shaped like an API key that no tenant has. */
const inventedKey = () => `alk_read_${randomBytes(32).toString('base64url')}`;

/** A counter's value in a service's /metrics (0 when it has no sample yet). */
async function metric(service: ServiceProcess, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * Abuse limits: per-key rate limits at ingest and audit-api (429 rate_limited with Retry-After), the
 * per-address limit of failed authentications (401s, then 429s without key lookups), and the live
 * stream's bounds (streams per tenant, `since`, a revoked key, memory during a long replay).
 */
describe('abuse limits', () => {
  const prefix = `test:rate:${randomBytes(6).toString('hex')}:`;
  const system = new LedgerSystem({
    services: ['audit-api', 'ingest-api', 'audit-projector'],
    env: {
      'ingest-api': {
        INGEST_RATE_LIMIT_PER_SECOND: '50',
        INGEST_RATE_LIMIT_BURST: '200',
        RATE_LIMIT_REDIS_PREFIX: prefix,
      },
      'audit-api': {
        AUDIT_API_RATE_LIMIT_PER_SECOND: '5',
        AUDIT_API_RATE_LIMIT_BURST: '10',
        AUTH_FAILURE_RATE_LIMIT_PER_SECOND: '2',
        AUTH_FAILURE_RATE_LIMIT_BURST: '10',
        AUDIT_API_MAX_STREAMS_PER_TENANT: '2',
        RATE_LIMIT_REDIS_PREFIX: prefix,
        NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MB}`,
      },
    },
  });

  beforeAll(() => system.start(), 120_000);
  afterAll(() => system.stop());

  const stream = (key: string, query = '') => {
    const controller = new AbortController();
    const opened = fetch(`${system.url('audit-api')}/v1/stream${query}`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
    return { opened, close: () => controller.abort() };
  };

  it('should answer 429 rate_limited with Retry-After when a key posts more events than its burst, and accept again after waiting', async () => {
    const tenant = await system.createTenant(`limits-ingest-${system.suffix}`);
    const batch = (n: number) => ({ events: Array.from({ length: n }, () => anActionEventInput()) });
    // The burst is 200 events, refilled at 50/s: a second batch of 200 comes ~4 s too early.
    expect((await system.postEvents(tenant.apiKeys.ingest, batch(200))).status).toBe(202);
    const refused = await system.postEvents(tenant.apiKeys.ingest, batch(200));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { status: 429, code: 'rate_limited' } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 4).toBe(true);
    await sleep(retryAfter * 1_000 + 100);
    expect((await system.postEvents(tenant.apiKeys.ingest, batch(200))).status).toBe(202);
  });

  it('should answer 429 rate_limited with Retry-After when a key makes more audit-api requests than its burst, and answer again after waiting', async () => {
    const tenant = await system.createTenant(`limits-api-${system.suffix}`);
    // Burst 10, refilled at 5/s: of 15 requests sent at once, at most 11 can pass.
    const answers = await Promise.all(Array.from({ length: 15 }, () => system.api('GET', '/v1/actions?limit=1', tenant.apiKeys.read)));
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(10);
    expect(limited.length).toBeGreaterThanOrEqual(4);
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    for (const a of limited) expect(a.body).toMatchObject({ error: { code: 'rate_limited' } });
    const retryAfter = Math.max(...limited.map((a) => Number(a.headers.get('retry-after'))));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    await sleep(retryAfter * 1_000 + 100);
    expect((await system.api('GET', '/v1/actions?limit=1', tenant.apiKeys.read)).status).toBe(200);
  });

  it('should answer 401 then 429 to a flood of invented keys from one address, looking up at most the burst, while a verified key still passes', async () => {
    const tenant = await system.createTenant(`limits-flood-${system.suffix}`);
    expect((await system.api('GET', '/v1/actions?limit=1', tenant.apiKeys.admin)).status).toBe(200);
    const audit = system.service('audit-api');
    const lookupsBefore = await metric(audit, 'ledger_cached_lookup_loads_total', 'result="absent"');
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof system.api>> | undefined;
    for (let i = 0; i < 60; i++) {
      const answer = await system.api('GET', '/v1/actions?limit=1', inventedKey());
      statuses.push(answer.status);
      if (answer.status === 429) limited ??= answer;
    }
    const lookups = (await metric(audit, 'ledger_cached_lookup_loads_total', 'result="absent"')) - lookupsBefore;
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(30);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(limited!.body).toMatchObject({ error: { code: 'rate_limited', field: 'Authorization' } });
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The burst (10) plus what refills at 2/s while the flood lasts: far fewer than the 60 attempts.
    expect(lookups).toBeLessThanOrEqual(20);
    process.stdout.write(`invented-key flood: ${statuses.filter((s) => s === 401).length} × 401, ${statuses.filter((s) => s === 429).length} × 429, ${lookups} key lookups in PostgreSQL\n`);
    // A key verified before the flood is still served from this address.
    expect((await system.api('GET', '/v1/actions?limit=1', tenant.apiKeys.admin)).status).toBe(200);
    await sleep(6_000); // let the address's bucket refill for the tests that follow
  });

  it('should refuse a third stream of a tenant with 429 too_many_streams and open one again when one closed', async () => {
    const tenant = await system.createTenant(`limits-streams-${system.suffix}`);
    const first = stream(tenant.apiKeys.read);
    const second = stream(tenant.apiKeys.read);
    expect((await first.opened).status).toBe(200);
    expect((await second.opened).status).toBe(200);
    const third = await system.api('GET', '/v1/stream', tenant.apiKeys.read);
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: { code: 'too_many_streams' } });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    first.close();
    await sleep(POLL_MS * 2);
    const again = stream(tenant.apiKeys.read);
    expect((await again.opened).status).toBe(200);
    again.close();
    second.close();
  });

  it('should answer 400 since_too_old naming since when since reaches further back than 24 hours', async () => {
    const tenant = await system.createTenant(`limits-since-${system.suffix}`);
    const answer = await system.api('GET', '/v1/stream?since=2000-01-01T00:00:00Z', tenant.apiKeys.read);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'since_too_old', field: 'since' } });
  });

  it('should end a stream with event: error key_revoked within one poll when its key is revoked', async () => {
    const tenant = await system.createTenant(`limits-revoke-${system.suffix}`);
    const readKey = tenant.keys.find((k) => k.scopes.length === 1 && k.scopes[0] === 'read')!;
    const s = stream(tenant.apiKeys.read);
    const res = await s.opened;
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read(); // the connection comment
    const revoked = await system.http('DELETE', `${system.url('audit-api')}/v1/admin/keys/${readKey.keyId}`, { key: system.rootKey });
    expect(revoked.status).toBeLessThan(300);
    const revokedAt = Date.now();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const closedAfterMs = Date.now() - revokedAt;
    expect(text).toContain('event: error');
    expect(text).toContain('"code":"key_revoked"');
    expect(closedAfterMs).toBeLessThan(POLL_MS + 1_000);
  });

  describe(`a replay of ${BULK_EVENTS.toLocaleString('en')} events to a slow reader`, () => {
    let tenant: TestTenant;

    beforeAll(async () => {
      tenant = await system.createTenant(`limits-replay-${system.suffix}`);
      // Loaded through a second ingest instance without the low per-key limit of this suite.
      const bulk = await system.startInstance('ingest-api', { INGEST_RATE_LIMIT_PER_SECOND: '0' });
      const started = Date.now();
      for (let b = 0; b < BULK_EVENTS / 500; b += 4) {
        const answers = await Promise.all(
          [0, 1, 2, 3].map((k) =>
            system.http('POST', `${bulk.url}/v1/events`, {
              key: tenant.apiKeys.ingest,
              json: { events: Array.from({ length: 500 }, (_, i) => anActionEventInput({ type: 'signal.rate_limited', metadata: { n: (b + k) * 500 + i } })) },
            }),
          ),
        );
        for (const a of answers) expect(a.status).toBe(202);
      }
      const posted = Date.now();
      await system.waitForStored(tenant.tenantId, BULK_EVENTS, 420_000);
      process.stdout.write(`${BULK_EVENTS} events: posted in ${((posted - started) / 1000).toFixed(0)} s, stored after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }, 600_000);

    it(`should keep audit-api under ${MAX_RSS_MB} MB resident while it replays every event to a client that reads slowly`, async () => {
      const pid = system.service('audit-api').pid!;
      const before = rssMb(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
      const since = new Date(Date.now() - 23 * 3_600_000).toISOString();
      const s = stream(tenant.apiKeys.read, `?type=signal.rate_limited&since=${encodeURIComponent(since)}`);
      const res = await s.opened;
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const seen = new Set<string>();
      let rest = '';
      const slowUntil = Date.now() + 20_000;
      const deadline = Date.now() + 300_000;
      try {
        while (seen.size < BULK_EVENTS && Date.now() < deadline) {
          const { value, done } = await reader.read();
          if (done) break;
          const blocks = (rest + decoder.decode(value, { stream: true })).split('\n\n');
          rest = blocks.pop()!;
          for (const block of blocks) {
            const id = /^id: (.+)$/m.exec(block)?.[1];
            if (id && block.includes('\nevent: ledger-event\n')) seen.add(id);
          }
          // First the client reads slowly (the server must wait for it, not buffer), then at full speed.
          if (Date.now() < slowUntil) await sleep(100);
        }
      } finally {
        s.close();
        clearInterval(sampler);
      }
      process.stdout.write(`audit-api RSS during the replay: ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak (bound ${MAX_RSS_MB} MB, heap cap ${HEAP_CAP_MB} MB)\n`);
      expect(seen.size).toBe(BULK_EVENTS);
      expect(peak).toBeLessThan(MAX_RSS_MB);
    }, 420_000);
  });
});
