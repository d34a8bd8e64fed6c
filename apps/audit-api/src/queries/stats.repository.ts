import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '@agent-ledger/persistence';

export interface StatsWindow {
  from: Date;
  to: Date;
  bucket: 'minute' | 'hour' | 'day';
}

/** Aggregates over the actions that started in a window (first_event_at), in the tenant's scope. */
@Injectable()
export class StatsRepository {
  constructor(private readonly db: TenantDatabase) {}

  async stats(tenantId: string, w: StatsWindow) {
    return this.db.run(tenantId, async (m) => {
      // Short aggregations: compiling them with JIT (its cost threshold is reached on large tenants)
      // took longer than running them — about 640 ms of 880 ms per statement over 500,000 actions.
      await m.query(`SET LOCAL jit = off`);
      const p = [tenantId, w.from, w.to];
      const inWindow = `tenant_id = $1 AND first_event_at >= $2 AND first_event_at < $3`;
      const byStatus: { status: string; n: number }[] = await m.query(`SELECT status, count(*)::int AS n FROM actions WHERE ${inWindow} GROUP BY 1 ORDER BY 1`, p);
      const byTool: { tool: string | null; total: number; executed: number; failed: number; cancelled: number }[] = await m.query(
        `SELECT tool_name AS tool, count(*)::int AS total, count(*) FILTER (WHERE status = 'executed')::int AS executed,
                count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
           FROM actions WHERE ${inWindow} GROUP BY 1 ORDER BY total DESC, tool NULLS LAST`,
        p,
      );
      const byRisk: { risk: string | null; n: number }[] = await m.query(`SELECT risk_level AS risk, count(*)::int AS n FROM actions WHERE ${inWindow} GROUP BY 1 ORDER BY 1`, p);
      const approvals: { decision: string | null; n: number }[] = await m.query(
        `SELECT approval_decision AS decision, count(*)::int AS n FROM actions WHERE ${inWindow} AND approval_decision IS NOT NULL GROUP BY 1 ORDER BY 1`,
        p,
      );
      const durations: { tool: string | null; n: number; p50: number | null; p95: number | null; p99: number | null }[] = await m.query(
        `SELECT tool_name AS tool, count(*)::int AS n,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99
           FROM actions WHERE ${inWindow} AND duration_ms IS NOT NULL GROUP BY 1 ORDER BY 1 NULLS LAST`,
        p,
      );
      const series: { t: Date; actions: number; failed: number; executed: number }[] = await m.query(
        `SELECT date_trunc('${w.bucket}', first_event_at) AS t, count(*)::int AS actions,
                count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'executed')::int AS executed
           FROM actions WHERE ${inWindow} GROUP BY 1 ORDER BY 1`,
        p,
      );
      return { byStatus, byTool, byRisk, approvals, durations, series };
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
