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

/** One action's row before (null: new) and after a change; its rollups move by after − before. */
export interface RollupActionChange {
  tenantId: string;
  before: RollupAction | null;
  after: RollupAction;
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

export interface ActionsDelta extends Keyed {
  status: string;
  toolName: string | null;
  riskLevel: string | null;
  approvalDecision: string | null;
  /** Failed actions only. */
  errorCode: string | null;
  n: number;
  durN: number;
  durSum: number;
  decN: number;
  decSum: number;
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

  row(key: unknown[], create: () => R): R {
    const k = JSON.stringify(key);
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

const ms = (t: string | Date): number => (typeof t === 'string' ? Date.parse(t) : t.getTime());

/** What a batch's changed actions and stored events add to (and take from) each rollup table. */
export function rollupDeltas(changes: RollupActionChange[], events: RollupEvent[]): RollupDeltas {
  const actions = new DeltaTable<ActionsDelta>();
  const breakdowns = new DeltaTable<BreakdownDelta>();
  const sketches = new DeltaTable<SketchDelta>();
  const eventTypes = new DeltaTable<CountDelta>();
  const series = new DeltaTable<CountDelta>();

  // Net change per exact value of each sketch row: a value that left (and did not come back) may have been its minimum or maximum.
  const values = new Map<SketchDelta, Map<number, number>>();
  const sketch = (base: Keyed, metric: SketchMetric, toolName: string | null, value: number, sign: number) => {
    const s = sketches.row([base.tenantId, base.grain, base.bucket, metric, toolName], () => ({ ...base, metric, toolName, n: 0, counts: {}, min: null, max: null, removed: false }));
    const key = statsSketchKey(value);
    const net = values.get(s) ?? new Map<number, number>();
    values.set(s, net.set(value, (net.get(value) ?? 0) + sign));
    s.n += sign;
    s.counts[key] = (s.counts[key] ?? 0) + sign;
    if (sign > 0) {
      s.min = s.min === null ? value : Math.min(s.min, value);
      s.max = s.max === null ? value : Math.max(s.max, value);
    }
  };

  const contribute = (tenantId: string, a: RollupAction, sign: number) => {
    const at = ms(a.firstEventAt);
    const failed = a.status === 'failed';
    const dur = a.durationMs;
    const dec = a.approvalDecisionMs;
    for (const grain of MAIN_GRAINS) {
      const base: Keyed = { tenantId, grain, bucket: bucketStart(at, grain) };
      const errorCode = failed ? a.errorCode : null;
      const r = actions.row([tenantId, grain, base.bucket, a.status, a.toolName, a.riskLevel, a.approvalDecision, errorCode], () => ({
        ...base, status: a.status, toolName: a.toolName, riskLevel: a.riskLevel, approvalDecision: a.approvalDecision, errorCode,
        n: 0, durN: 0, durSum: 0, decN: 0, decSum: 0,
      }));
      r.n += sign;
      if (dur !== null) {
        r.durN += sign;
        r.durSum += sign * dur;
      }
      if (dec !== null) {
        r.decN += sign;
        r.decSum += sign * dec;
      }
      const dims: [BreakdownDim, string | null, string | null][] = [['provider', a.toolProvider, null], ['agent', a.agentId, a.agentName], ['actor', a.actorType, a.actorId]];
      for (const [dim, k1, k2] of dims) {
        const b = breakdowns.row([tenantId, grain, base.bucket, dim, k1, k2], () => ({ ...base, dim, k1, k2, total: 0, executed: 0, failed: 0, durN: 0, durSum: 0 }));
        b.total += sign;
        if (a.status === 'executed') b.executed += sign;
        if (failed) b.failed += sign;
        if (dur !== null) {
          b.durN += sign;
          b.durSum += sign * dur;
        }
      }
      if (dur !== null) sketch(base, 'duration', a.toolName, dur, sign);
      if (dec !== null) sketch(base, 'decision', null, dec, sign);
    }
    for (const grain of SERIES_GRAINS) {
      const bucket = bucketStart(at, grain);
      series.row([tenantId, grain, bucket, a.status], () => ({ tenantId, grain, bucket, key: a.status, n: 0 })).n += sign;
    }
  };

  for (const c of changes) {
    if (c.before) contribute(c.tenantId, c.before, -1);
    contribute(c.tenantId, c.after, 1);
  }
  for (const e of events) {
    const at = ms(e.occurredAt);
    for (const grain of MAIN_GRAINS) {
      const bucket = bucketStart(at, grain);
      eventTypes.row([e.tenantId, grain, bucket, e.type], () => ({ tenantId: e.tenantId, grain, bucket, key: e.type, n: 0 })).n += 1;
    }
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
