import type { ReportFrequency, Statistics } from '@agent-ledger/ledger-stats';
import { stringify } from 'csv-stringify/sync';

/** How the last checkpoint's chain heads compare with the stored rows (a cheap integrity signal, not a full verification). */
export type IntegrityState = 'ok' | 'failed' | 'unverified' | 'none';

export interface ReportFacts {
  escalations: { opened: number; resolved: number; unresolved: number };
  integrity: { state: IntegrityState; checkpoint: { id: string; createdAt: string; chains: number } | null };
}

/** The tenant's report of one period: stored with each delivery, rendered as an email with a CSV attachment. */
export interface ReportNotice {
  kind: 'report';
  tenant: { id: string; name: string };
  runId: string;
  frequency: ReportFrequency;
  period: { from: string; to: string };
  totals: { actions: number; executed: number; failed: number; cancelled: number; events: number; successRate: number | null; successRateOfFinished: number | null };
  failures: { tool: string | null; errorCode: string | null; n: number }[];
  slowestTools: { tool: string | null; n: number; avgMs: number | null; p95: number | null; maxMs: number | null }[];
  escalations: ReportFacts['escalations'];
  integrity: ReportFacts['integrity'];
  csv: { filename: string; content: string };
  link: string;
}

/** Rows of the report's tables. */
export const REPORT_TOP = 10;

/** Columns of the report's CSV: one row per tool of the period. */
export const REPORT_CSV_COLUMNS = ['tool', 'total', 'executed', 'failed', 'cancelled', 'avg_ms', 'min_ms', 'max_ms', 'p95_ms'] as const;

/** One row per tool: counts by status and durations (empty cells where no duration was reported). */
export function reportCsv(stats: Statistics): string {
  const durations = new Map(stats.durations.map((d) => [d.tool, d]));
  const rows = stats.byTool.map((t) => {
    const d = durations.get(t.tool);
    return [t.tool ?? '', t.total, t.executed, t.failed, t.cancelled, d?.avgMs ?? '', d?.minMs ?? '', d?.maxMs ?? '', d?.p95 ?? ''];
  });
  return stringify(rows, { header: true, columns: [...REPORT_CSV_COLUMNS] });
}

export function buildReportNotice(input: {
  tenant: { id: string; name: string };
  runId: string;
  frequency: ReportFrequency;
  stats: Statistics;
  facts: ReportFacts;
  link: string;
}): ReportNotice {
  const { stats } = input;
  const by = stats.totals.byStatus as Record<string, number>;
  const day = stats.window.to.slice(0, 10);
  return {
    kind: 'report',
    tenant: input.tenant,
    runId: input.runId,
    frequency: input.frequency,
    period: { from: stats.window.from, to: stats.window.to },
    totals: {
      actions: stats.totals.actions,
      executed: by.executed ?? 0,
      failed: by.failed ?? 0,
      cancelled: by.cancelled ?? 0,
      events: stats.totals.events,
      successRate: stats.successRate,
      successRateOfFinished: stats.successRateOfFinished,
    },
    failures: stats.failures.slice(0, REPORT_TOP),
    slowestTools: [...stats.durations]
      .sort((a, b) => (b.p95 ?? 0) - (a.p95 ?? 0))
      .slice(0, REPORT_TOP)
      .map((d) => ({ tool: d.tool, n: d.n, avgMs: d.avgMs, p95: d.p95, maxMs: d.maxMs })),
    escalations: input.facts.escalations,
    integrity: input.facts.integrity,
    csv: { filename: `agent-ledger-${input.frequency}-report-${day}.csv`, content: reportCsv(stats) },
    link: input.link,
  };
}
