import type { MsRange, WindowPlan } from './rollup-grains';

/** Positional parameters of one statement; `$1` is the tenant. */
export class SqlParams {
  readonly values: unknown[];

  constructor(tenantId: string) {
    this.values = [tenantId];
  }

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The parts of a window as one `UNION ALL`: for each whole-bucket range, `rollup` over the rollup
 * table's rows of that grain; for each edge, `exact` over the rows themselves. Both select the same
 * columns, so the caller sums them up in one outer query.
 */
export function windowParts(
  p: SqlParams,
  plan: WindowPlan,
  rollup: (where: string) => string,
  exact: (where: (column: string) => string) => string,
): string {
  const range = (column: string, r: MsRange) => `${column} >= ${p.add(iso(r.from))} AND ${column} < ${p.add(iso(r.to))}`;
  const parts = [
    ...plan.rollups.map((r) => rollup(`tenant_id = $1 AND grain = ${p.add(r.grain)} AND ${range('bucket', r.range)}`)),
    ...plan.exact.map((r) => exact((column) => `tenant_id = $1 AND ${range(column, r)}`)),
  ];
  return parts.map((s) => `(${s})`).join(' UNION ALL ');
}
