import { Injectable } from '@nestjs/common';
import { ACTION_ANOMALY_CODES, SIGNAL_TYPES, type ActionAnomalyCode } from '@agent-ledger/contracts';
import { StatsRepository, type BreakdownRow, type DurationRow, type StatsRows } from './stats.repository';
import type { StatsWindow } from './stats-window';

/** Each breakdown (provider, agent, actor) lists at most this many rows, the largest first. */
export const BREAKDOWN_LIMIT = 100;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface DurationFigures {
  n: number;
  avgMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

const durationFigures = (r: DurationRow | undefined): DurationFigures =>
  r
    ? { n: r.n, avgMs: num(r.avg), minMs: num(r.min), maxMs: num(r.max), p50: num(r.p50), p95: num(r.p95), p99: num(r.p99) }
    : { n: 0, avgMs: null, minMs: null, maxMs: null, p50: null, p95: null, p99: null };

const counts = (r: BreakdownRow) => ({ total: r.total, executed: r.executed, failed: r.failed, avgDurationMs: num(r.avgDurationMs) });
const largestFirst = (a: BreakdownRow, b: BreakdownRow) => b.total - a.total;

/** executed / total, and executed / (executed + failed); null when the denominator is 0. */
export function successRates(byStatus: Record<string, number>): { successRate: number | null; successRateOfFinished: number | null } {
  const total = Object.values(byStatus).reduce((n, v) => n + v, 0);
  const executed = byStatus.executed ?? 0;
  const finished = executed + (byStatus.failed ?? 0);
  return { successRate: total ? executed / total : null, successRateOfFinished: finished ? executed / finished : null };
}

/** The statistics of a tenant's window as `GET /v1/stats` answers them (docs/statistics.md); reports render the same. */
export function toStatistics(w: StatsWindow, s: StatsRows, deadLetters: { inWindow: number; unreplayed: number }, loss: { openGaps: number; missingEvents: number }) {
  const byStatus = Object.fromEntries(s.byStatus.map((r) => [r.status, r.n]));
  const dims = (dim: BreakdownRow['dim']) => s.breakdowns.filter((r) => r.dim === dim).sort(largestFirst).slice(0, BREAKDOWN_LIMIT);
  const eventsByType = Object.fromEntries(s.eventsByType.map((r) => [r.type, r.n]));
  return {
    window: { from: w.from.toISOString(), to: w.to.toISOString(), bucket: w.bucket },
    totals: { actions: s.byStatus.reduce((n, r) => n + r.n, 0), byStatus, events: s.eventsByType.reduce((n, r) => n + r.n, 0) },
    ...successRates(byStatus),
    byTool: s.byTool,
    byProvider: dims('provider').map((r) => ({ provider: r.provider, ...counts(r) })),
    byAgent: dims('agent').map((r) => ({ agentId: r.agentId, agentName: r.agentName, ...counts(r) })),
    byActor: dims('actor').map((r) => ({ actorType: r.actorType, actorId: r.actorId, ...counts(r) })),
    byRiskLevel: Object.fromEntries(s.byRisk.map((r) => [r.risk ?? 'none', r.n])),
    approvals: {
      approved: 0,
      rejected: 0,
      expired: 0,
      auto: 0,
      ...Object.fromEntries(s.approvals.map((r) => [r.decision, r.n])),
      decisionTime: { n: s.decisionTime.n, avgMs: num(s.decisionTime.avg), p50Ms: num(s.decisionTime.p50), p95Ms: num(s.decisionTime.p95), maxMs: num(s.decisionTime.max) },
    },
    duration: durationFigures(s.durations.find((d) => d.overall)),
    durations: s.durations.filter((d) => !d.overall).map((d) => ({ tool: d.tool, ...durationFigures(d) })),
    failures: s.failures,
    signals: Object.fromEntries(SIGNAL_TYPES.map((t) => [t, eventsByType[t] ?? 0])) as Record<(typeof SIGNAL_TYPES)[number], number>,
    eventsByType,
    series: s.series.map((p) => ({ t: new Date(p.t).toISOString(), actions: p.actions, executed: p.executed, failed: p.failed })),
    deadLetters,
    anomalies: Object.fromEntries(ACTION_ANOMALY_CODES.map((c) => [c, s.anomalies.find((r) => r.code === c)?.n ?? 0])) as Record<ActionAnomalyCode, number>,
    loss,
  };
}

export type Statistics = ReturnType<typeof toStatistics>;

/** The one computation of the statistics: audit-api's `GET /v1/stats` and the notifier's reports. */
@Injectable()
export class StatsService {
  constructor(private readonly repository: StatsRepository) {}

  async statistics(tenantId: string, w: StatsWindow): Promise<Statistics> {
    const [rows, deadLetters, loss] = await Promise.all([this.repository.stats(tenantId, w), this.repository.deadLetters(tenantId, w), this.repository.loss(tenantId)]);
    return toStatistics(w, rows, deadLetters, loss);
  }
}
