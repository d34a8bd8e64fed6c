import { Injectable } from '@nestjs/common';
import { TenantDatabase, type EntityManager } from '@agent-ledger/persistence';
import { planWindow, type RollupGrain, type WindowPlan } from './rollups/rollup-grains';
import { SqlParams, windowParts } from './rollups/rollup-query';
import { countsFromDims, meansFromDims, type DimRow } from './rollups/rollup-rows';
import { MergedSketch } from './rollups/rollup-sketch';
import type { StatsBucket, StatsWindow } from './stats-window';

type Num = number | null;

export interface DurationRow {
  /** Null in the row over every tool. */
  tool: string | null;
  overall: boolean;
  n: number;
  avg: Num;
  min: Num;
  max: Num;
  p50: Num;
  p95: Num;
  p99: Num;
}

export interface BreakdownRow {
  dim: 'provider' | 'agent' | 'actor';
  provider: string | null;
  agentId: string | null;
  agentName: string | null;
  actorType: string | null;
  actorId: string | null;
  total: number;
  executed: number;
  failed: number;
  avgDurationMs: Num;
}

export interface StatsRows {
  byStatus: { status: string; n: number }[];
  byTool: { tool: string | null; total: number; executed: number; failed: number; cancelled: number }[];
  byRisk: { risk: string | null; n: number }[];
  approvals: { decision: string | null; n: number }[];
  decisionTime: { n: number; avg: Num; p50: Num; p95: Num; max: Num };
  durations: DurationRow[];
  breakdowns: BreakdownRow[];
  failures: { tool: string | null; errorCode: string | null; n: number }[];
  eventsByType: { type: string; n: number }[];
  series: { t: Date; actions: number; failed: number; executed: number }[];
  /** Actions of the window marked with each anomaly code (codes without one are absent). */
  anomalies: { code: string; n: number }[];
}

/** Up to this many actions in a window, its percentiles are computed exactly from the rows; above, from the sketches. */
export const EXACT_PERCENTILES_UP_TO = 5_000;

/** Whole days, then whole hours, from the rollups; the edges (under an hour each) from the rows. */
const MAIN_GRAINS: RollupGrain[] = ['day', 'hour'];
const SERIES_GRAINS: Record<StatsBucket, RollupGrain[]> = { day: ['day', 'hour', 'minute'], hour: ['hour', 'minute'], minute: ['minute'] };

const float = (sql: string) => `(${sql})::float8`;
const inWindow = `tenant_id = $1 AND first_event_at >= $2 AND first_event_at < $3`;

/**
 * Aggregates of a tenant's window: actions that started in it (first_event_at), events that occurred
 * in it (occurred_at). Counts and sums come from the rollups for whole buckets and from the rows for
 * the edges, so they are exact for any window; percentiles come from DDSketch bucket counts (exact
 * for small windows). One snapshot for every statement, so the figures agree with each other.
 */
@Injectable()
export class StatsRepository {
  constructor(private readonly db: TenantDatabase) {}

  stats(tenantId: string, w: StatsWindow, exactPercentilesUpTo = EXACT_PERCENTILES_UP_TO): Promise<StatsRows> {
    const range = { from: w.from.getTime(), to: w.to.getTime() };
    const plan = planWindow(range, MAIN_GRAINS);
    return this.db.snapshot(tenantId, async (m) => {
      // Short statements over few rows: JIT compilation and parallel workers (their start-up) cost more than they save.
      // Every statement reads a tenant's window through an index (rollup keys; the edges, under an hour
      // each, through (tenant_id, first_event_at) or (tenant_id, occurred_at)). The planner cannot know
      // that: its estimate for `tenant_id = $1 AND time in [a, b)` multiplies the two selectivities, so
      // an hour in which OTHER tenants wrote much looks like a large share of the table and it chose a
      // sequential scan of the month's partition (1.2 s instead of 35 ms over 2.5 million rows,
      // docs/performance.md). Sequential scans are therefore off for these statements.
      await m.query(`SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL enable_seqscan = off`);
      const dims = await this.dims(m, tenantId, plan);
      const means = meansFromDims(dims);
      const total = dims.reduce((s, r) => s + r.n, 0);
      const { durations, decisionTime } =
        total <= exactPercentilesUpTo ? await this.exactPercentiles(m, tenantId, w) : await this.sketchPercentiles(m, tenantId, plan, means);
      return {
        ...countsFromDims(dims),
        decisionTime: { ...decisionTime, n: means.decisions.n, avg: means.decisions.avg },
        durations,
        breakdowns: await this.breakdowns(m, tenantId, plan),
        eventsByType: await this.eventsByType(m, tenantId, plan),
        series: await this.series(m, tenantId, w),
        anomalies: await this.anomalies(m, tenantId, w),
      };
    });
  }

  /** Dead letters naming the tenant: dead-lettered in the window, and not replayed yet (any time). */
  async deadLetters(tenantId: string, w: Pick<StatsWindow, 'from' | 'to'>): Promise<{ inWindow: number; unreplayed: number }> {
    const [row] = await this.db.query<{ inWindow: number; unreplayed: number }>(
      tenantId,
      `SELECT count(*) FILTER (WHERE dead_lettered_at >= $2 AND dead_lettered_at < $3)::int AS "inWindow", count(*) FILTER (WHERE replayed_at IS NULL)::int AS unreplayed
         FROM dead_letters WHERE tenant_id = $1`,
      [tenantId, w.from, w.to],
    );
    return row;
  }

  /**
   * The gaps in the tenant's producers' sequence numbers still open, whatever the window (loss
   * accounting, docs/accountability.md): how many, and how many sequence numbers they miss.
   */
  async loss(tenantId: string): Promise<{ openGaps: number; missingEvents: number }> {
    const [row] = await this.db.query<{ openGaps: number; missingEvents: string }>(
      tenantId,
      `SELECT count(*)::int AS "openGaps", coalesce(sum(last_seq - first_seq + 1), 0)::text AS "missingEvents" FROM producer_gaps WHERE tenant_id = $1 AND closed_at IS NULL`,
      [tenantId],
    );
    return { openGaps: row.openGaps, missingEvents: Number(row.missingEvents) };
  }

  private dims(m: EntityManager, tenantId: string, plan: WindowPlan): Promise<DimRow[]> {
    const p = new SqlParams(tenantId);
    const parts = windowParts(
      p,
      plan,
      (where) => `SELECT status, tool_name, risk_level, approval_decision, error_code, n, dur_n, dur_sum, dec_n, dec_sum FROM stats_actions WHERE ${where}`,
      (where) =>
        `SELECT status, tool_name, risk_level, approval_decision, CASE WHEN status = 'failed' THEN error_code END, count(*)::int, count(duration_ms)::int,
                coalesce(sum(duration_ms), 0), count(approval_decision_ms)::int, coalesce(sum(approval_decision_ms), 0)::float8
           FROM actions WHERE ${where('first_event_at')} GROUP BY 1, 2, 3, 4, 5`,
    );
    return m.query(
      `SELECT status, tool_name AS tool, risk_level AS risk, approval_decision AS decision, error_code AS "errorCode", sum(n)::int AS n,
              sum(dur_n)::int AS "durN", sum(dur_sum)::float8 AS "durSum", sum(dec_n)::int AS "decN", sum(dec_sum)::float8 AS "decSum"
         FROM (${parts}) x (status, tool_name, risk_level, approval_decision, error_code, n, dur_n, dur_sum, dec_n, dec_sum)
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) > 0`,
      p.values,
    );
  }

  /**
   * Anomalous actions of the window per code, from the rows: the partial index of migration
   * 1732300002301 holds only the marked actions and their codes, so this reads as many index entries
   * as the window has anomalous actions (few), not one per action.
   */
  private anomalies(m: EntityManager, tenantId: string, w: StatsWindow): Promise<StatsRows['anomalies']> {
    return m.query(
      `SELECT c.code, count(*)::int AS n FROM actions a CROSS JOIN LATERAL jsonb_to_recordset(a.anomalies) AS c (code text)
        WHERE a.tenant_id = $1 AND a.anomaly AND a.first_event_at >= $2 AND a.first_event_at < $3 GROUP BY 1`,
      [tenantId, w.from, w.to],
    );
  }

  private async breakdowns(m: EntityManager, tenantId: string, plan: WindowPlan): Promise<BreakdownRow[]> {
    const p = new SqlParams(tenantId);
    const parts = windowParts(
      p,
      plan,
      (where) => `SELECT dim, k1, k2, total, executed, failed, dur_n, dur_sum FROM stats_breakdowns WHERE ${where}`,
      (where) =>
        `SELECT d.dim, d.k1, d.k2, count(*)::int, count(*) FILTER (WHERE status = 'executed')::int, count(*) FILTER (WHERE status = 'failed')::int,
                count(duration_ms)::int, coalesce(sum(duration_ms), 0)
           FROM actions CROSS JOIN LATERAL (VALUES ('provider', tool_provider, NULL), ('agent', agent_id, agent_name), ('actor', actor_type, actor_id)) d (dim, k1, k2)
          WHERE ${where('first_event_at')} GROUP BY 1, 2, 3`,
    );
    // An agent is one row whatever its names; its name is the greatest one it had in the window.
    const rows: { dim: BreakdownRow['dim']; k1: string | null; k2: string | null; name: string | null; total: number; executed: number; failed: number; durN: number; durSum: number }[] =
      await m.query(
        `SELECT dim, k1, CASE WHEN dim = 'agent' THEN NULL ELSE k2 END AS k2, max(k2) FILTER (WHERE dim = 'agent' AND total > 0) AS name,
                sum(total)::int AS total, sum(executed)::int AS executed, sum(failed)::int AS failed, sum(dur_n)::int AS "durN", sum(dur_sum)::float8 AS "durSum"
           FROM (${parts}) x (dim, k1, k2, total, executed, failed, dur_n, dur_sum)
          GROUP BY 1, 2, 3 HAVING sum(total) > 0`,
        p.values,
      );
    return rows.map((r) => ({
      dim: r.dim,
      provider: r.dim === 'provider' ? r.k1 : null,
      agentId: r.dim === 'agent' ? r.k1 : null,
      agentName: r.dim === 'agent' ? r.name : null,
      actorType: r.dim === 'actor' ? r.k1 : null,
      actorId: r.dim === 'actor' ? r.k2 : null,
      total: r.total,
      executed: r.executed,
      failed: r.failed,
      avgDurationMs: r.durN ? r.durSum / r.durN : null,
    }));
  }

  private eventsByType(m: EntityManager, tenantId: string, plan: WindowPlan): Promise<{ type: string; n: number }[]> {
    const p = new SqlParams(tenantId);
    const parts = windowParts(
      p,
      plan,
      (where) => `SELECT type, n FROM stats_event_types WHERE ${where}`,
      (where) => `SELECT type, count(*)::int FROM audit_events WHERE ${where('occurred_at')} GROUP BY 1`,
    );
    return m.query(`SELECT type, sum(n)::int AS n FROM (${parts}) x (type, n) GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1`, p.values);
  }

  /** Whole buckets of the series' unit and finer from `stats_series`; the edges (under a minute) from the rows. */
  private series(m: EntityManager, tenantId: string, w: StatsWindow): Promise<StatsRows['series']> {
    const p = new SqlParams(tenantId);
    const unit = p.add(w.bucket);
    const parts = windowParts(
      p,
      planWindow({ from: w.from.getTime(), to: w.to.getTime() }, SERIES_GRAINS[w.bucket]),
      (where) => `SELECT date_trunc(${unit}, bucket, 'UTC'), status, n FROM stats_series WHERE ${where}`,
      (where) => `SELECT date_trunc(${unit}, first_event_at, 'UTC'), status, count(*)::int FROM actions WHERE ${where('first_event_at')} GROUP BY 1, 2`,
    );
    return m.query(
      `SELECT t, sum(n)::int AS actions, coalesce(sum(n) FILTER (WHERE status = 'failed'), 0)::int AS failed,
              coalesce(sum(n) FILTER (WHERE status = 'executed'), 0)::int AS executed
         FROM (${parts}) x (t, status, n) GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1`,
      p.values,
    );
  }

  /** Percentiles, minimum and maximum from the rollups' bucket counts and the edges' values. */
  private async sketchPercentiles(m: EntityManager, tenantId: string, plan: WindowPlan, means: ReturnType<typeof meansFromDims>): Promise<Pick<StatsRows, 'durations' | 'decisionTime'>> {
    const p = new SqlParams(tenantId);
    const parts = windowParts(
      p,
      plan,
      (where) => `SELECT metric, tool_name, n, counts, min, max, NULL::float8 AS v FROM stats_sketches WHERE ${where} AND n > 0`,
      (where) =>
        `SELECT m.metric, m.tool_name, 1, NULL::jsonb, NULL::float8, NULL::float8, m.v
           FROM actions CROSS JOIN LATERAL (VALUES ('duration', tool_name, duration_ms), ('decision', NULL, approval_decision_ms::float8)) m (metric, tool_name, v)
          WHERE ${where('first_event_at')} AND m.v IS NOT NULL`,
    );
    const rows: { metric: 'duration' | 'decision'; tool: string | null; counts: Record<string, number> | null; min: Num; max: Num; v: Num }[] = await m.query(
      `SELECT metric, tool_name AS tool, counts, min, max, v FROM (${parts}) x (metric, tool_name, n, counts, min, max, v)`,
      p.values,
    );
    const tools = new Map<string | null, MergedSketch>();
    const decisions = new MergedSketch();
    for (const r of rows) {
      let s = decisions;
      if (r.metric === 'duration') {
        s = tools.get(r.tool) ?? new MergedSketch();
        tools.set(r.tool, s);
      }
      if (r.counts) s.addCounts(r.counts, r.min, r.max);
      else if (r.v !== null) s.addValue(r.v);
    }
    const overall = new MergedSketch();
    for (const s of tools.values()) overall.merge(s);
    const figures = (s: MergedSketch | undefined, n: number, avg: Num) => ({ n, avg, min: s?.min ?? null, max: s?.max ?? null, p50: s?.quantile(0.5) ?? null, p95: s?.quantile(0.95) ?? null, p99: s?.quantile(0.99) ?? null });
    return {
      durations: [
        { tool: null, overall: true, ...figures(overall, means.overall.n, means.overall.avg) },
        ...[...means.durations.entries()].map(([tool, d]) => ({ tool, overall: false, ...figures(tools.get(tool), d.n, d.avg) })),
      ],
      decisionTime: { n: means.decisions.n, avg: means.decisions.avg, p50: decisions.quantile(0.5), p95: decisions.quantile(0.95), max: decisions.max },
    };
  }

  /** Exact percentiles (percentile_cont) from the rows, for a window of few actions. */
  private async exactPercentiles(m: EntityManager, tenantId: string, w: StatsWindow): Promise<Pick<StatsRows, 'durations' | 'decisionTime'>> {
    const p = [tenantId, w.from, w.to];
    const [decisionTime] = await m.query(
      `SELECT count(*)::int AS n, ${float('avg(approval_decision_ms)')} AS avg, ${float('max(approval_decision_ms)')} AS max,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY approval_decision_ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY approval_decision_ms) AS p95
         FROM actions WHERE ${inWindow} AND approval_decision_ms IS NOT NULL`,
      p,
    );
    const durations = await m.query(
      `SELECT GROUPING(tool_name) = 1 AS overall, tool_name AS tool, count(*)::int AS n, avg(duration_ms) AS avg, min(duration_ms) AS min, max(duration_ms) AS max,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99
         FROM actions WHERE ${inWindow} AND duration_ms IS NOT NULL
        GROUP BY GROUPING SETS ((), (tool_name)) ORDER BY overall DESC, tool NULLS LAST`,
      p,
    );
    return { durations, decisionTime };
  }
}
