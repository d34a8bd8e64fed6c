import type { StatsRows } from '../stats.repository';
import type { ActionSums } from './rollup-deltas';

/** The window's actions summed by status × tool × risk × approval × error code (failed only). */
export interface DimRow extends ActionSums {
  status: string;
  tool: string | null;
  risk: string | null;
  decision: string | null;
  errorCode: string | null;
}

const cmp = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

function sumBy<K>(rows: DimRow[], key: (r: DimRow) => K | undefined, value: (r: DimRow) => number): Map<K, number> {
  const out = new Map<K, number>();
  for (const r of rows) {
    const k = key(r);
    if (k !== undefined) out.set(k, (out.get(k) ?? 0) + value(r));
  }
  return out;
}

const counted = <K extends string | null>(m: Map<K, number>) => [...m.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => cmp(a, b));

/** The counting statistics of {@link StatsRows} from the summed rows (those are exact). */
export function countsFromDims(rows: DimRow[]): Pick<StatsRows, 'byStatus' | 'byTool' | 'byRisk' | 'approvals' | 'failures'> {
  const tools = new Map<string | null, { tool: string | null; total: number; executed: number; failed: number; cancelled: number }>();
  for (const r of rows) {
    const t = tools.get(r.tool) ?? { tool: r.tool, total: 0, executed: 0, failed: 0, cancelled: 0 };
    t.total += r.n;
    if (r.status === 'executed' || r.status === 'failed' || r.status === 'cancelled') t[r.status] += r.n;
    tools.set(r.tool, t);
  }
  const failures = [...sumBy(rows, (r) => (r.status === 'failed' ? JSON.stringify([r.tool, r.errorCode]) : undefined), (r) => r.n).entries()]
    .filter(([, n]) => n > 0)
    .map(([k, n]) => {
      const [tool, errorCode] = JSON.parse(k) as [string | null, string | null];
      return { tool, errorCode, n };
    })
    .sort((a, b) => b.n - a.n || cmp(a.tool, b.tool) || cmp(a.errorCode, b.errorCode));
  return {
    byStatus: counted(sumBy(rows, (r) => r.status, (r) => r.n)).map(([status, n]) => ({ status, n })),
    byTool: [...tools.values()].filter((t) => t.total > 0).sort((a, b) => b.total - a.total || cmp(a.tool, b.tool)),
    byRisk: counted(sumBy(rows, (r) => r.risk, (r) => r.n)).map(([risk, n]) => ({ risk, n })),
    approvals: counted(sumBy(rows, (r) => r.decision ?? undefined, (r) => r.n)).map(([decision, n]) => ({ decision, n })),
    failures,
  };
}

/** Count and mean of durations per tool (null: every tool) and of approval decision times. */
export function meansFromDims(rows: DimRow[]): { durations: Map<string | null, { n: number; avg: number | null }>; overall: { n: number; avg: number | null }; decisions: { n: number; avg: number | null } } {
  const mean = (n: number, sum: number) => ({ n, avg: n ? sum / n : null });
  const n = sumBy(rows, (r) => r.tool, (r) => r.durN);
  const sum = sumBy(rows, (r) => r.tool, (r) => r.durSum);
  const durations = new Map([...n.entries()].filter(([, c]) => c > 0).sort(([a], [b]) => cmp(a, b)).map(([tool, c]) => [tool, mean(c, sum.get(tool) ?? 0)]));
  const total = (f: (r: DimRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  return {
    durations,
    overall: mean(total((r) => r.durN), total((r) => r.durSum)),
    decisions: mean(total((r) => r.decN), total((r) => r.decSum)),
  };
}
