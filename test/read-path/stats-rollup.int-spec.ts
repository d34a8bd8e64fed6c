import { randomBytes, randomUUID } from 'node:crypto';
import { rollupDeltas, StatsRepository, writeRollups, type RollupAction, type StatsBucket, type StatsRows } from '@agent-ledger/ledger-stats';
import { createLedgerDataSource, runMigrations, STATS_SKETCH_ACCURACY, TenantDatabase, type DataSource } from '@agent-ledger/persistence';
import { stackEnv, seededRandom } from '@agent-ledger/testing';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The data set: actions starting over 3.5 days from 07:13:20.5 UTC. */
const T0 = Date.UTC(2026, 1, 2, 7, 13, 20, 500);
const SPAN = 3.5 * DAY;

const random = seededRandom;
const r = random(488);
const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];

function randomAction(): RollupAction {
  const status = pick(['attempted', 'confirmed', 'executed', 'executed', 'executed', 'failed', 'cancelled']);
  const ran = status === 'executed' || status === 'failed';
  return {
    status,
    toolName: pick(['refund', 'email', 'crm', 'search', null]),
    toolProvider: pick(['stripe', 'sendgrid', null]),
    riskLevel: pick(['safe', 'moderate', 'high', null]),
    approvalDecision: pick(['approved', 'rejected', 'not_required', null]),
    errorCode: status === 'failed' ? pick(['E_UPSTREAM', 'E_TIMEOUT', null]) : null,
    agentId: pick(['agent-1', 'agent-2', 'agent-3']),
    agentName: pick(['Agent', 'Agent v2']),
    actorType: pick(['user', 'agent']),
    actorId: `actor-${Math.floor(r() * 40)}`,
    firstEventAt: new Date(T0 + Math.floor(r() * SPAN)).toISOString(),
    // Long-tailed durations with repeats and zeros, like real tool calls.
    durationMs: ran ? pick([0, Math.round(20 + r() * 400), Math.round(Math.exp(3 + r() * 7)), 12.75]) : null,
    approvalDecisionMs: r() < 0.3 ? Math.round(Math.exp(4 + r() * 8)) : null,
  };
}

/**
 * Statistics from the rollups equal the ones computed from the rows for random windows (aligned on
 * days, on hours, on nothing; shorter than a minute; the whole range): counts exactly, percentiles
 * within the sketch's relative accuracy of the value at their rank.
 */
describe('statistics from rollups (PostgreSQL)', () => {
  const tenantId = randomUUID();
  let ds: DataSource;
  let repository: StatsRepository;
  let seq = 0;

  /** Rows and rollups in one transaction, as the projector writes them. */
  async function write(changes: { actionId: string; before: RollupAction | null; after: RollupAction }[], events: { type: string; occurredAt: string }[]) {
    await ds.transaction(async (m) => {
      const col = <K extends keyof RollupAction>(k: K) => changes.map((c) => c.after[k]);
      await m.query(
        `INSERT INTO actions (tenant_id, action_id, status, tool_name, tool_provider, risk_level, approval_decision, error_code, agent_id, agent_name,
                              actor_type, actor_id, first_event_at, last_event_at, duration_ms, approval_decision_ms, event_count, updated_at)
         SELECT $1, u.*, u.first_event_at, NULL, NULL, 1, now()
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                       $13::timestamptz[]) AS u (action_id, status, tool_name, tool_provider, risk_level, approval_decision, error_code, agent_id, agent_name,
                                                 actor_type, actor_id, first_event_at)
         ON CONFLICT (tenant_id, action_id) DO UPDATE SET status = excluded.status, first_event_at = excluded.first_event_at, last_event_at = excluded.last_event_at`,
        [tenantId, changes.map((c) => c.actionId), col('status'), col('toolName'), col('toolProvider'), col('riskLevel'), col('approvalDecision'), col('errorCode'),
          col('agentId'), col('agentName'), col('actorType'), col('actorId'), col('firstEventAt')],
      );
      await m.query(
        `UPDATE actions a SET duration_ms = u.d, approval_decision_ms = u.dm FROM unnest($2::text[], $3::float8[], $4::int[]) u (id, d, dm)
          WHERE a.tenant_id = $1 AND a.action_id = u.id`,
        [tenantId, changes.map((c) => c.actionId), col('durationMs'), col('approvalDecisionMs')],
      );
      await m.query(
        `INSERT INTO audit_events (tenant_id, event_id, kafka_partition, kafka_offset, chain_seq, prev_hash, hash, type, occurred_at, received_at, recorded_at, event_json)
         SELECT $1, gen_random_uuid(), 0, s, s, $2, $2, t, o, o, now(), '{}' FROM unnest($3::bigint[], $4::text[], $5::timestamptz[]) AS u (s, t, o)`,
        [tenantId, randomBytes(32), events.map(() => ++seq), events.map((e) => e.type), events.map((e) => e.occurredAt)],
      );
      await writeRollups((sql, params) => m.query(sql, params), rollupDeltas(changes.map((c) => ({ tenantId, ...c })), events.map((e) => ({ tenantId, ...e }))));
    });
  }

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    repository = new StatsRepository(new TenantDatabase(ds));
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `stats-rollup-int-${tenantId}`]);
    const current = new Map<string, RollupAction>();
    for (let b = 0; b < 24; b++) {
      const changes = Array.from({ length: 500 }, (_, i) => ({ actionId: `a-${b}-${i}`, before: null, after: randomAction() }));
      // Later batches change earlier actions: a new status, start (another hour or day) and duration.
      if (b >= 12) {
        for (const [actionId, before] of [...current.entries()].slice((b - 12) * 300, (b - 11) * 300)) {
          const drawn = randomAction();
          changes.push({ actionId, before, after: { ...before, status: drawn.status, firstEventAt: drawn.firstEventAt, durationMs: drawn.durationMs } } as never);
        }
      }
      const events = Array.from({ length: 600 }, () => ({ type: pick(['action.attempted', 'action.executed', 'signal.rate_limited', 'change.recorded']), occurredAt: new Date(T0 + Math.floor(r() * SPAN)).toISOString() }));
      await write(changes, events);
      for (const c of changes) current.set(c.actionId, c.after);
    }
  });

  afterAll(async () => {
    await ds.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`); // audit_events refuses deletes
      await m.query(`DELETE FROM audit_events WHERE tenant_id = $1`, [tenantId]);
      await m.query(`DELETE FROM actions WHERE tenant_id = $1`, [tenantId]);
      await m.query(`DELETE FROM tenants WHERE id = $1`, [tenantId]);
    });
    await ds.destroy();
  });

  /** The statistics computed from the rows alone, with percentile_cont. */
  async function exact(from: Date, to: Date, bucket: StatsBucket) {
    const p = [tenantId, from, to];
    const w = `tenant_id = $1 AND first_event_at >= $2 AND first_event_at < $3`;
    const q = (sql: string) => ds.query(sql, p);
    return {
      byStatus: await q(`SELECT status, count(*)::int AS n FROM actions WHERE ${w} GROUP BY 1`),
      byTool: await q(`SELECT tool_name AS tool, count(*)::int AS total, count(*) FILTER (WHERE status = 'executed')::int AS executed,
                              count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled FROM actions WHERE ${w} GROUP BY 1`),
      byRisk: await q(`SELECT risk_level AS risk, count(*)::int AS n FROM actions WHERE ${w} GROUP BY 1`),
      approvals: await q(`SELECT approval_decision AS decision, count(*)::int AS n FROM actions WHERE ${w} AND approval_decision IS NOT NULL GROUP BY 1`),
      failures: await q(`SELECT tool_name AS tool, error_code AS "errorCode", count(*)::int AS n FROM actions WHERE ${w} AND status = 'failed' GROUP BY 1, 2`),
      breakdowns: await q(`SELECT CASE WHEN GROUPING(tool_provider) = 0 THEN 'provider' WHEN GROUPING(agent_id) = 0 THEN 'agent' ELSE 'actor' END AS dim,
                                  tool_provider AS provider, agent_id AS "agentId", CASE WHEN GROUPING(agent_id) = 0 THEN max(agent_name) END AS "agentName", actor_type AS "actorType", actor_id AS "actorId",
                                  count(*)::int AS total, count(*) FILTER (WHERE status = 'executed')::int AS executed, count(*) FILTER (WHERE status = 'failed')::int AS failed,
                                  round(avg(duration_ms)::numeric, 6)::float8 AS "avgDurationMs"
                             FROM actions WHERE ${w} GROUP BY GROUPING SETS ((tool_provider), (agent_id), (actor_type, actor_id))`),
      eventsByType: await q(`SELECT type, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1`),
      series: await q(`SELECT date_trunc('${bucket}', first_event_at, 'UTC') AS t, count(*)::int AS actions, count(*) FILTER (WHERE status = 'failed')::int AS failed,
                              count(*) FILTER (WHERE status = 'executed')::int AS executed FROM actions WHERE ${w} GROUP BY 1`),
      durations: await q(`SELECT GROUPING(tool_name) = 1 AS overall, tool_name AS tool, count(*)::int AS n, round(avg(duration_ms)::numeric, 6)::float8 AS avg,
                                 min(duration_ms) AS min, max(duration_ms) AS max, array_agg(duration_ms ORDER BY duration_ms) AS sorted
                            FROM actions WHERE ${w} AND duration_ms IS NOT NULL GROUP BY GROUPING SETS ((), (tool_name))`),
      decisions: (await q(`SELECT count(*)::int AS n, round(avg(approval_decision_ms)::numeric, 6)::float8 AS avg, max(approval_decision_ms)::float8 AS max,
                                  coalesce(array_agg(approval_decision_ms::float8 ORDER BY approval_decision_ms), '{}') AS sorted
                             FROM actions WHERE ${w} AND approval_decision_ms IS NOT NULL`))[0],
    };
  }

  const sorted = <T>(rows: T[]) => rows.map((x) => JSON.stringify(x)).sort();
  const round6 = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);

  /** The sketch's estimate is within the relative accuracy of the value at rank ⌊q·(n−1)⌋. */
  function expectWithinBound(estimate: number | null, values: number[], q: number, what: string) {
    if (!values.length) return expect({ what, estimate }).toEqual({ what, estimate: null });
    const atRank = values[Math.floor(q * (values.length - 1))];
    const error = Math.abs((estimate as number) - atRank);
    expect({ what, q, ok: error <= STATS_SKETCH_ACCURACY * atRank + 1e-9 }).toEqual({ what, q, ok: true });
  }

  function compare(got: StatsRows, want: Awaited<ReturnType<typeof exact>>, label: string) {
    expect({ label, byStatus: sorted(got.byStatus) }).toEqual({ label, byStatus: sorted(want.byStatus) });
    expect({ label, byTool: sorted(got.byTool) }).toEqual({ label, byTool: sorted(want.byTool) });
    expect({ label, byRisk: sorted(got.byRisk) }).toEqual({ label, byRisk: sorted(want.byRisk) });
    expect({ label, approvals: sorted(got.approvals) }).toEqual({ label, approvals: sorted(want.approvals) });
    expect({ label, failures: sorted(got.failures) }).toEqual({ label, failures: sorted(want.failures) });
    expect({ label, breakdowns: sorted(got.breakdowns.map((b) => ({ ...b, avgDurationMs: round6(b.avgDurationMs) }))) }).toEqual({ label, breakdowns: sorted(want.breakdowns) });
    expect({ label, eventsByType: sorted(got.eventsByType) }).toEqual({ label, eventsByType: sorted(want.eventsByType) });
    expect({ label, series: sorted(got.series.map((s) => ({ ...s, t: new Date(s.t).toISOString() }))) }).toEqual({
      label,
      series: sorted(want.series.map((s: { t: Date }) => ({ ...s, t: new Date(s.t).toISOString() }))),
    });
    const d = want.decisions as { n: number; avg: number | null; max: number | null; sorted: number[] };
    expect({ label, n: got.decisionTime.n, avg: round6(got.decisionTime.avg), max: got.decisionTime.max }).toEqual({ label, n: d.n, avg: d.avg, max: d.max });
    expectWithinBound(got.decisionTime.p50, d.sorted, 0.5, `${label} decision p50`);
    expectWithinBound(got.decisionTime.p95, d.sorted, 0.95, `${label} decision p95`);
    const wanted = new Map(want.durations.map((x: { overall: boolean; tool: string | null }) => [`${x.overall}|${x.tool}`, x]));
    for (const g of got.durations.filter((x) => x.n > 0 || !x.overall)) {
      const e = wanted.get(`${g.overall}|${g.tool}`) as { n: number; avg: number; min: number; max: number; sorted: number[] };
      const what = `${label} duration ${g.overall ? 'overall' : g.tool}`;
      expect({ what, n: g.n, avg: round6(g.avg), min: g.min, max: g.max }).toEqual({ what, n: e.n, avg: e.avg, min: e.min, max: e.max });
      for (const [q, v] of [[0.5, g.p50], [0.95, g.p95], [0.99, g.p99]] as const) expectWithinBound(v, e.sorted, q, `${what} p${q * 100}`);
    }
    expect({ label, tools: got.durations.length }).toEqual({ label, tools: want.durations.length });
  }

  it('should equal the exact statistics for aligned, unaligned, short and whole windows', async () => {
    const windows: [string, number, number, StatsBucket][] = [
      ['whole range, unaligned', T0 - 1_000, T0 + SPAN + 1_000, 'hour'],
      ['whole days', Date.UTC(2026, 1, 3), Date.UTC(2026, 1, 5), 'day'],
      ['whole hours', Date.UTC(2026, 1, 3, 5), Date.UTC(2026, 1, 3, 17), 'hour'],
      ['inside one hour', Date.UTC(2026, 1, 4, 10, 7, 13, 250), Date.UTC(2026, 1, 4, 10, 48, 1), 'minute'],
      ['under a minute', Date.UTC(2026, 1, 4, 10, 7, 13, 250), Date.UTC(2026, 1, 4, 10, 7, 50), 'minute'],
      ['across midnight', Date.UTC(2026, 1, 3, 21, 30), Date.UTC(2026, 1, 4, 2, 15, 30), 'minute'],
      ['empty', T0 - 2 * DAY, T0 - DAY, 'hour'],
    ];
    for (let i = 0; i < 12; i++) {
      const from = T0 - HOUR + Math.floor(r() * (SPAN + HOUR));
      const to = from + 1 + Math.floor(r() * (T0 + SPAN + HOUR - from));
      windows.push([`random ${i}`, from, to, pick(['minute', 'hour', 'day'] as StatsBucket[])]);
    }
    for (const [label, from, to, bucket] of windows) {
      const w = { from: new Date(from), to: new Date(to), bucket };
      compare(await repository.stats(tenantId, w, 0), await exact(w.from, w.to, bucket), label);
    }
  });

  it('should answer percentile_cont exactly for a window of few actions', async () => {
    const w = { from: new Date(Date.UTC(2026, 1, 4, 10, 7)), to: new Date(Date.UTC(2026, 1, 4, 10, 37)), bucket: 'minute' as const };
    const [cont] = await ds.query(
      `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95 FROM actions WHERE tenant_id = $1 AND first_event_at >= $2 AND first_event_at < $3`,
      [tenantId, w.from, w.to],
    );
    const got = await repository.stats(tenantId, w);
    expect(got.durations.find((d) => d.overall)?.p95).toBe(cont.p95);
  });
});
