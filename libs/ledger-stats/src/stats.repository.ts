import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '@agent-ledger/persistence';
import type { StatsWindow } from './stats-window';

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
}

const float = (sql: string) => `(${sql})::float8`;

/**
 * Aggregates of a tenant's window: actions that started in it (first_event_at), events that occurred
 * in it (occurred_at). One snapshot for every statement, so the figures agree with each other.
 */
@Injectable()
export class StatsRepository {
  constructor(private readonly db: TenantDatabase) {}

  stats(tenantId: string, w: StatsWindow): Promise<StatsRows> {
    return this.db.snapshot(tenantId, async (m) => {
      // Short aggregations: compiling them with JIT (its cost threshold is reached on large tenants)
      // took longer than running them (docs/performance.md).
      await m.query(`SET LOCAL jit = off`);
      const p = [tenantId, w.from, w.to];
      const inWindow = `tenant_id = $1 AND first_event_at >= $2 AND first_event_at < $3`;
      const byStatus = await m.query(`SELECT status, count(*)::int AS n FROM actions WHERE ${inWindow} GROUP BY 1 ORDER BY 1`, p);
      const byTool = await m.query(
        `SELECT tool_name AS tool, count(*)::int AS total, count(*) FILTER (WHERE status = 'executed')::int AS executed,
                count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
           FROM actions WHERE ${inWindow} GROUP BY 1 ORDER BY total DESC, tool NULLS LAST`,
        p,
      );
      const byRisk = await m.query(`SELECT risk_level AS risk, count(*)::int AS n FROM actions WHERE ${inWindow} GROUP BY 1 ORDER BY 1`, p);
      const approvals = await m.query(
        `SELECT approval_decision AS decision, count(*)::int AS n FROM actions WHERE ${inWindow} AND approval_decision IS NOT NULL GROUP BY 1 ORDER BY 1`,
        p,
      );
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
      const breakdowns = await m.query(
        `SELECT CASE WHEN GROUPING(tool_provider) = 0 THEN 'provider' WHEN GROUPING(agent_id) = 0 THEN 'agent' ELSE 'actor' END AS dim,
                tool_provider AS provider, agent_id AS "agentId", max(agent_name) AS "agentName", actor_type AS "actorType", actor_id AS "actorId",
                count(*)::int AS total, count(*) FILTER (WHERE status = 'executed')::int AS executed,
                count(*) FILTER (WHERE status = 'failed')::int AS failed, avg(duration_ms) AS "avgDurationMs"
           FROM actions WHERE ${inWindow}
          GROUP BY GROUPING SETS ((tool_provider), (agent_id), (actor_type, actor_id))`,
        p,
      );
      const failures = await m.query(
        `SELECT tool_name AS tool, error_code AS "errorCode", count(*)::int AS n FROM actions WHERE ${inWindow} AND status = 'failed'
          GROUP BY 1, 2 ORDER BY n DESC, tool NULLS LAST, "errorCode" NULLS LAST`,
        p,
      );
      const eventsByType = await m.query(
        `SELECT type, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1 ORDER BY 1`,
        p,
      );
      const series = await m.query(
        `SELECT date_trunc('${w.bucket}', first_event_at) AS t, count(*)::int AS actions,
                count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'executed')::int AS executed
           FROM actions WHERE ${inWindow} GROUP BY 1 ORDER BY 1`,
        p,
      );
      return { byStatus, byTool, byRisk, approvals, decisionTime, durations, breakdowns, failures, eventsByType, series };
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
}
