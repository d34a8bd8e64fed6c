import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { uniqueSuffix, WORKSPACE_ROOT } from '@agent-ledger/testing';
import { ACTION_EVENT_SCHEMA_VERSION, ACTION_EVENTS_TOPIC, SCHEMA_VERSION_HEADER } from '@agent-ledger/contracts';
import type { BenchContext } from '../lib/context';
import { QUERY_TOOLS, SEED_EVENTS_PER_ACTION, seedAction } from '../lib/events';
import { request } from '../lib/http';
import { round, sleep, summarize, type LatencySummary } from '../lib/stats';
import { statsWindows } from '../lib/stats-windows';

const SPAN_MS = 7 * 24 * 3_600_000;

export interface QueryResult {
  /** The server's autovacuum setting. */
  autovacuum: string;
  /** With autovacuum off: the figures before the maintenance autovacuum would have done. */
  asFound?: { actions: LatencySummary & { rawMs: number[] }; stats: LatencySummary & { rawMs: number[] } };
  maintenance?: { statements: string[]; seconds: number };
  storedEvents: number;
  storedActions: number;
  seed: { tenantName: string; reused: boolean; produced: number; produceSeconds: number; storeSeconds: number; path: string };
  actions: LatencySummary & { query: string; requests: number; rawMs: number[]; itemsReturnedMedian: number; non200: number };
  /** GET /v1/stats over the whole range. */
  stats: LatencySummary & { query: string; requests: number; rawMs: number[]; actionsCounted: number; non200: number };
  /** GET /v1/stats over several windows of the data set: the whole range, the last 24 h, an unaligned 3 h 17 min, one hour. */
  statsWindows: StatsWindow[];
  statsWorstP95Ms: number;
}

export interface StatsWindow extends LatencySummary {
  name: string;
  from: string;
  to: string;
  requests: number;
  rawMs: number[];
  actionsCounted: number;
  non200: number;
}

/**
 * Query latency over a tenant holding `query.events` stored events. The data set is written once per
 * size and kept (tenant `bench-query-<events>-<date>-<suffix>` in the test database, named in a state file of the checkout): its events go through the raw
 * Kafka producer to the topic and are stored by the running audit-projector — the same rows, chains
 * and projection as events posted through ingest, without the HTTP leg. A later run reuses it and only
 * tops it up if a run was interrupted.
 */
export async function queryPhase(ctx: BenchContext): Promise<QueryResult> {
  const s = ctx.sizes.query;
  // The data set's tenant and read key are kept in a git-ignored state file: a reused tenant gets no
  // new key (an administrative change records the caller's address as PII under a subject key wrapped
  // by the master key of the run that first stored it, which a later run does not hold).
  const stateFile = path.join(WORKSPACE_ROOT, 'bench', 'results', '.state', `query-${s.events}-${ctx.stack.databaseUrl.split('/').pop()}.json`);
  const saved = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { tenantId: string; readKey: string; name: string }) : undefined;
  const known = saved && (await ctx.db.query(`SELECT 1 FROM tenants WHERE id = $1`, [saved.tenantId])).rowCount ? saved : undefined;
  const reused = Boolean(known);
  let tenantId: string;
  let readKey: string;
  let name: string;
  if (known) ({ tenantId, readKey, name } = known);
  else {
    // Unique: the test database outlives checkouts, and a checkout without the state file builds its own.
    name = `bench-query-${s.events}-${new Date().toISOString().slice(0, 10)}-${uniqueSuffix()}`;
    const created = await ctx.front.createTenant(name);
    ({ tenantId } = created);
    readKey = created.apiKeys.read;
    mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, JSON.stringify({ tenantId, readKey, name }), { mode: 0o600 });
  }
  const countEvents = async () => (await ctx.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND type <> 'change.recorded'`, [tenantId])).rows[0].n as number;

  let stored = await countEvents();
  let produced = 0;
  let produceSeconds = 0;
  let storeSeconds = 0;
  if (stored < s.events) {
    const existing = await ctx.db.query(`SELECT count(*)::int AS n, min(first_event_at) AS start FROM actions WHERE tenant_id = $1`, [tenantId]);
    const firstAction: number = existing.rows[0].n;
    const start = existing.rows[0].start ? new Date(existing.rows[0].start).getTime() : Date.now() - SPAN_MS;
    const stepMs = SPAN_MS / (s.events / SEED_EVENTS_PER_ACTION);
    const missing = s.events - stored;
    ctx.log(`  query: storing ${missing} events for ${name} (Kafka producer → audit-projector)`);
    const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const t0 = performance.now();
    let a = firstAction;
    try {
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (produced < missing) {
            const messages: { key: string; value: string; headers: Record<string, string> }[] = [];
            while (messages.length < 1_000 && produced < missing) {
              for (const m of seedAction(tenantId, a++, start, stepMs)) {
                messages.push({ ...m, headers: { [SCHEMA_VERSION_HEADER]: ACTION_EVENT_SCHEMA_VERSION } });
                produced++;
              }
            }
            await producer.send({ topic: ACTION_EVENTS_TOPIC, acks: -1, messages });
          }
        }),
      );
    } finally {
      await producer.disconnect();
    }
    produceSeconds = (performance.now() - t0) / 1_000;
    const deadline = Date.now() + s.seedTimeoutMs;
    let lastLog = Date.now();
    while ((stored = await countEvents()) < s.events) {
      if (Date.now() > deadline) throw new Error(`only ${stored} of ${s.events} query events stored after ${s.seedTimeoutMs / 1_000} s`);
      if (Date.now() - lastLog > 30_000) {
        ctx.log(`  query: ${stored} of ${s.events} stored`);
        lastLog = Date.now();
      }
      await sleep(s.events > 100_000 ? 2_000 : 250);
    }
    storeSeconds = (performance.now() - t0) / 1_000;
  }
  const window = (await ctx.db.query(`SELECT count(*)::int AS n, min(first_event_at) AS lo, max(first_event_at) AS hi FROM actions WHERE tenant_id = $1`, [tenantId])).rows[0];
  const storedActions: number = window.n;

  const api = ctx.front.url('audit-api');

  const statuses = ['failed', 'executed', 'cancelled'];
  const actionsQuery = (i: number) => `/v1/actions?status=${statuses[i % statuses.length]}&tool=${QUERY_TOOLS[Math.floor(i / statuses.length) % QUERY_TOOLS.length]}`;
  const windows = statsWindows(new Date(window.lo).getTime(), new Date(window.hi).getTime()).map((w) => ({ ...w, from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() }));
  const statsPath = (w: { from: string; to: string }) => `/v1/stats?from=${encodeURIComponent(w.from)}&to=${encodeURIComponent(w.to)}`;
  const [whole] = windows;
  const { from, to } = whole;
  const statsQuery = statsPath(whole);

  const time = async (paths: (i: number) => string, n: number) => {
    const ms: number[] = [];
    const bodies: string[] = [];
    let non200 = 0;
    for (let i = 0; i < 5; i++) await request('GET', api + paths(i), readKey); // warm-up
    for (let i = 0; i < n; i++) {
      const answer = await request('GET', api + paths(i), readKey);
      if (answer.status !== 200) non200++;
      ms.push(answer.ms);
      bodies.push(answer.body);
    }
    return { ms, bodies, non200 };
  };

  // A server without autovacuum (some CI configurations) leaves the bulk-written tables without
  // statistics and with a dead row per projected update: the figures are taken as found, then after
  // the VACUUM (ANALYZE) autovacuum would have run; the headline figures are the latter.
  const autovacuum = (await ctx.db.query(`SHOW autovacuum`)).rows[0].autovacuum as string;
  let asFound: QueryResult['asFound'];
  let maintenance: QueryResult['maintenance'];
  if (autovacuum !== 'on') {
    const a = await time(actionsQuery, Math.min(s.actionsRequests, 40));
    const st = await time(() => statsQuery, Math.min(s.statsRequests, 10));
    asFound = { actions: { ...summarize(a.ms), rawMs: a.ms.map((v) => round(v, 1)) }, stats: { ...summarize(st.ms), rawMs: st.ms.map((v) => round(v, 1)) } };
    const t0 = performance.now();
    await ctx.db.query(`VACUUM (ANALYZE) actions`);
    await ctx.db.query(`ANALYZE audit_events`);
    maintenance = { statements: ['VACUUM (ANALYZE) actions', 'ANALYZE audit_events'], seconds: round((performance.now() - t0) / 1_000, 1) };
    ctx.log(`  query as found (autovacuum ${autovacuum}): /v1/actions p95 ${asFound.actions.p95Ms} ms, /v1/stats p95 ${asFound.stats.p95Ms} ms; then ${maintenance.statements.join(', ')} (${maintenance.seconds} s)`);
  }
  const actions = await time(actionsQuery, s.actionsRequests);
  const items = actions.bodies.map((b) => (JSON.parse(b) as { items?: unknown[] }).items?.length ?? 0).sort((x, y) => x - y);
  const counted = (body: string | undefined) => (JSON.parse(body ?? '{}') as { totals?: { actions?: number } }).totals?.actions ?? 0;
  const timedWindows: StatsWindow[] = [];
  for (const w of windows) {
    const t = await time(() => statsPath(w), s.statsRequests);
    timedWindows.push({ name: w.name, from: w.from, to: w.to, ...summarize(t.ms), requests: t.ms.length, rawMs: t.ms.map((v) => round(v, 1)), actionsCounted: counted(t.bodies[0]), non200: t.non200 });
  }
  const stats = timedWindows[0];
  const actionsCounted = stats.actionsCounted;
  const statsWorstP95Ms = Math.max(...timedWindows.map((w) => w.p95Ms));
  ctx.log(`  query over ${stored} events: /v1/actions p95 ${summarize(actions.ms).p95Ms} ms, /v1/stats p95 ${timedWindows.map((w) => `${w.name} ${w.p95Ms}`).join(', ')} ms`);
  return {
    autovacuum,
    asFound,
    maintenance,
    storedEvents: stored,
    storedActions,
    seed: { tenantName: name, reused, produced, produceSeconds: round(produceSeconds, 1), storeSeconds: round(storeSeconds, 1), path: 'kafkajs producer (idempotent, acks=all) → agent-ledger.action-events.v1 → audit-projector' },
    actions: { ...summarize(actions.ms), query: '/v1/actions?status=<failed|executed|cancelled>&tool=<one of 7 tools> (limit 100)', requests: actions.ms.length, rawMs: actions.ms.map((v) => round(v, 1)), itemsReturnedMedian: items[Math.floor(items.length / 2)] ?? 0, non200: actions.non200 },
    stats: { samples: stats.samples, p50Ms: stats.p50Ms, p95Ms: stats.p95Ms, p99Ms: stats.p99Ms, maxMs: stats.maxMs, meanMs: stats.meanMs, query: `/v1/stats?from=${from}&to=${to}`, requests: stats.requests, rawMs: stats.rawMs, actionsCounted, non200: stats.non200 },
    statsWindows: timedWindows,
    statsWorstP95Ms,
  };
}
