import { statsSketchKey } from '@agent-ledger/persistence';
import { bucketStart, type RollupGrain } from './rollup-grains';

/** The `actions` columns the rollups count (the projector's ActionRow has them all). */
export interface RollupAction {
  status: string;
  toolName: string | null;
  toolProvider: string | null;
  riskLevel: string | null;
  approvalDecision: string | null;
  errorCode: string | null;
  agentId: string | null;
  agentName: string | null;
  actorType: string | null;
  actorId: string | null;
  firstEventAt: string | Date;
  durationMs: number | null;
  approvalDecisionMs: number | null;
}

/** One action's row before (null: new) and after a change (null: deleted); its rollups move by after − before. */
export interface RollupActionChange {
  tenantId: string;
  before: RollupAction | null;
  after: RollupAction | null;
}

/** One stored `audit_events` row. */
export interface RollupEvent {
  tenantId: string;
  type: string;
  occurredAt: string | Date;
}

interface Keyed {
  tenantId: string;
  grain: RollupGrain;
  /** Bucket start, ms since the epoch. */
  bucket: number;
}

/** What the actions rollup sums per key: actions, and count and sum of durations and of decision times. */
export interface ActionSums {
  n: number;
  durN: number;
  durSum: number;
  decN: number;
  decSum: number;
}

export interface ActionsDelta extends Keyed, ActionSums {
  status: string;
  toolName: string | null;
  riskLevel: string | null;
  approvalDecision: string | null;
  /** Failed actions only. */
  errorCode: string | null;
}

export type BreakdownDim = 'provider' | 'agent' | 'actor';

export interface BreakdownDelta extends Keyed {
  dim: BreakdownDim;
  k1: string | null;
  k2: string | null;
  total: number;
  executed: number;
  failed: number;
  durN: number;
  durSum: number;
}

export type SketchMetric = 'duration' | 'decision';

export interface SketchDelta extends Keyed {
  metric: SketchMetric;
  toolName: string | null;
  n: number;
  /** Bucket key → count change. */
  counts: Record<string, number>;
  /** Of the values added (null: none). */
  min: number | null;
  max: number | null;
  /** Some value left the bucket: its minimum and maximum are read again from the rows. */
  removed: boolean;
}

export interface CountDelta extends Keyed {
  /** The event type (stats_event_types) or the action status (stats_series). */
  key: string;
  n: number;
}

export interface RollupDeltas {
  actions: ActionsDelta[];
  breakdowns: BreakdownDelta[];
  sketches: SketchDelta[];
  eventTypes: CountDelta[];
  series: CountDelta[];
}

const MAIN_GRAINS: RollupGrain[] = ['hour', 'day'];
const SERIES_GRAINS: RollupGrain[] = ['minute', 'hour', 'day'];

/** Rows by key; each row is created once and changed in place. */
class DeltaTable<R> {
  private readonly rows = new Map<string, R>();

  row(k: string, create: () => R): R {
    let r = this.rows.get(k);
    if (!r) this.rows.set(k, (r = create()));
    return r;
  }

  /** The rows that change something, in key order (so concurrent writers lock rows in the same order). */
  changed(keep: (r: R) => boolean): R[] {
    return [...this.rows.entries()]
      .filter(([, r]) => keep(r))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => r);
  }
}

/** A key part: null as SOH; parts are joined by NUL (stored text holds neither character), so distinct keys give distinct strings. */
const p = (v: string | null): string => (v === null ? '\u0001' : v);

const ms = (t: string | Date): number => (typeof t === 'string' ? Date.parse(t) : t.getTime());

/** Contributions of one sign that count in the same rollup rows: same tenant, minute and counted columns. */
interface Contribution {
  tenantId: string;
  a: RollupAction;
  minute: number;
  sign: number;
  n: number;
  durations: Map<number, number>;
  decisions: Map<number, number>;
}

/** Groups the changes' contributions (−1 per before row, +1 per after row): a batch holds few distinct ones. */
function contributions(changes: RollupActionChange[]): Iterable<Contribution> {
  const groups = new Map<string, Contribution>();
  const add = (tenantId: string, a: RollupAction, sign: number) => {
    const minute = bucketStart(ms(a.firstEventAt), 'minute');
    const errorCode = a.status === 'failed' ? a.errorCode : null;
    const k = `${tenantId}\u0000${minute}\u0000${sign}\u0000${a.status}\u0000${p(a.toolName)}\u0000${p(a.toolProvider)}\u0000${p(a.riskLevel)}\u0000${p(a.approvalDecision)}\u0000${p(errorCode)}\u0000${p(a.agentId)}\u0000${p(a.agentName)}\u0000${p(a.actorType)}\u0000${p(a.actorId)}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { tenantId, a: { ...a, errorCode }, minute, sign, n: 0, durations: new Map(), decisions: new Map() }));
    g.n += 1;
    if (a.durationMs !== null) g.durations.set(a.durationMs, (g.durations.get(a.durationMs) ?? 0) + 1);
    if (a.approvalDecisionMs !== null) g.decisions.set(a.approvalDecisionMs, (g.decisions.get(a.approvalDecisionMs) ?? 0) + 1);
  };
  for (const c of changes) {
    if (c.before) add(c.tenantId, c.before, -1);
    if (c.after) add(c.tenantId, c.after, 1);
  }
  return groups.values();
}

const sumOf = (values: Map<number, number>) => {
  let n = 0;
  let sum = 0;
  for (const [v, c] of values) {
    n += c;
    sum += v * c;
  }
  return { n, sum };
};

/**
 * What a batch's changed actions and stored events add to (and take from) each rollup table.
 * `deletedEvents` (retention) are taken away as stored events are added.
 */
export function rollupDeltas(changes: RollupActionChange[], events: RollupEvent[], deletedEvents: RollupEvent[] = []): RollupDeltas {
  const actions = new DeltaTable<ActionsDelta>();
  const breakdowns = new DeltaTable<BreakdownDelta>();
  const sketches = new DeltaTable<SketchDelta>();
  const eventTypes = new DeltaTable<CountDelta>();
  const series = new DeltaTable<CountDelta>();

  // Net change per exact value of each sketch row: a value that left (and did not come back) may have been its minimum or maximum.
  const values = new Map<SketchDelta, Map<number, number>>();
  const sketch = (base: Keyed, prefix: string, metric: SketchMetric, toolName: string | null, counts: Map<number, number>, sign: number) => {
    const s = sketches.row(`${prefix}\u0000${metric}\u0000${p(toolName)}`, () => ({ ...base, metric, toolName, n: 0, counts: {}, min: null, max: null, removed: false }));
    const net = values.get(s) ?? new Map<number, number>();
    values.set(s, net);
    for (const [value, c] of counts) {
      const key = statsSketchKey(value);
      net.set(value, (net.get(value) ?? 0) + sign * c);
      s.n += sign * c;
      s.counts[key] = (s.counts[key] ?? 0) + sign * c;
      if (sign > 0) {
        s.min = s.min === null ? value : Math.min(s.min, value);
        s.max = s.max === null ? value : Math.max(s.max, value);
      }
    }
  };

  for (const { tenantId, a, minute, sign, n, durations, decisions } of contributions(changes)) {
    const dur = sumOf(durations);
    const dec = sumOf(decisions);
    for (const grain of MAIN_GRAINS) {
      const base: Keyed = { tenantId, grain, bucket: bucketStart(minute, grain) };
      const prefix = `${tenantId}\u0000${grain}\u0000${base.bucket}`;
      const r = actions.row(`${prefix}\u0000${a.status}\u0000${p(a.toolName)}\u0000${p(a.riskLevel)}\u0000${p(a.approvalDecision)}\u0000${p(a.errorCode)}`, () => ({
        ...base, status: a.status, toolName: a.toolName, riskLevel: a.riskLevel, approvalDecision: a.approvalDecision, errorCode: a.errorCode,
        n: 0, durN: 0, durSum: 0, decN: 0, decSum: 0,
      }));
      r.n += sign * n;
      r.durN += sign * dur.n;
      r.durSum += sign * dur.sum;
      r.decN += sign * dec.n;
      r.decSum += sign * dec.sum;
      const dims: [BreakdownDim, string | null, string | null][] = [['provider', a.toolProvider, null], ['agent', a.agentId, a.agentName], ['actor', a.actorType, a.actorId]];
      for (const [dim, k1, k2] of dims) {
        const b = breakdowns.row(`${prefix}\u0000${dim}\u0000${p(k1)}\u0000${p(k2)}`, () => ({ ...base, dim, k1, k2, total: 0, executed: 0, failed: 0, durN: 0, durSum: 0 }));
        b.total += sign * n;
        if (a.status === 'executed') b.executed += sign * n;
        if (a.status === 'failed') b.failed += sign * n;
        b.durN += sign * dur.n;
        b.durSum += sign * dur.sum;
      }
      if (durations.size) sketch(base, prefix, 'duration', a.toolName, durations, sign);
      if (decisions.size) sketch(base, prefix, 'decision', null, decisions, sign);
    }
    for (const grain of SERIES_GRAINS) {
      const bucket = bucketStart(minute, grain);
      series.row(`${tenantId}\u0000${grain}\u0000${bucket}\u0000${a.status}`, () => ({ tenantId, grain, bucket, key: a.status, n: 0 })).n += sign * n;
    }
  }

  const hourly = new DeltaTable<CountDelta>();
  for (const [list, sign] of [[events, 1], [deletedEvents, -1]] as const) {
    for (const e of list) {
      const bucket = bucketStart(ms(e.occurredAt), 'hour');
      hourly.row(`${e.tenantId}\u0000${bucket}\u0000${e.type}`, () => ({ tenantId: e.tenantId, grain: 'hour', bucket, key: e.type, n: 0 })).n += sign;
    }
  }
  for (const h of hourly.changed((r) => r.n !== 0)) {
    eventTypes.row(`${h.tenantId}\u0000hour\u0000${h.bucket}\u0000${h.key}`, () => ({ ...h, n: 0 })).n += h.n;
    const day = bucketStart(h.bucket, 'day');
    eventTypes.row(`${h.tenantId}\u0000day\u0000${day}\u0000${h.key}`, () => ({ ...h, grain: 'day', bucket: day, n: 0 })).n += h.n;
  }

  for (const [s, net] of values) {
    for (const [k, n] of Object.entries(s.counts)) if (n === 0) delete s.counts[k];
    s.removed = [...net.values()].some((n) => n < 0);
  }
  return {
    actions: actions.changed((r) => r.n !== 0 || r.durN !== 0 || r.decN !== 0 || r.durSum !== 0 || r.decSum !== 0),
    breakdowns: breakdowns.changed((r) => r.total !== 0 || r.executed !== 0 || r.failed !== 0 || r.durN !== 0 || r.durSum !== 0),
    sketches: sketches.changed((r) => r.removed || Object.keys(r.counts).length > 0),
    eventTypes: eventTypes.changed((r) => r.n !== 0),
    series: series.changed((r) => r.n !== 0),
  };
}
