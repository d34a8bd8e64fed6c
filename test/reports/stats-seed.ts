import type { ActionEventInput } from '@agent-ledger/contracts';

/** One seeded action and what it is known to be. */
export interface SeedAction {
  actionId: string;
  tool: string;
  provider: string | null;
  agentId: string;
  agentName: string;
  actorType: 'user' | 'agent';
  actorId: string;
  status: 'executed' | 'failed' | 'cancelled' | 'attempted';
  durationMs: number | null;
  errorCode: string | null;
  decision: 'approved' | 'rejected' | 'not_required' | null;
  decisionMs: number | null;
  startedAt: number;
}

const TOOLS = ['refund_order', 'send_email', 'update_crm', 'delete_account'];
const PROVIDERS = ['shopify', 'sendgrid', 'salesforce'];
const SIGNALS = { 'signal.rate_limited': 3, 'signal.budget_exceeded': 2, 'signal.agent_handoff': 1 } as const;

/** A data set with known answers: `n` actions (plus a few signals) started in the `spanMs` before `end`. */
export function seedActions(prefix: string, n: number, end: number, spanMs: number): SeedAction[] {
  return Array.from({ length: n }, (_, i) => {
    const kind = i % 7 === 6 ? 'attempted' : i % 5 === 3 ? 'failed' : i % 5 === 4 ? 'cancelled' : 'executed';
    const approved = kind === 'executed' && i % 2 === 0;
    return {
      actionId: `${prefix}-${i}`,
      tool: TOOLS[i % TOOLS.length],
      provider: i % 4 === 3 ? null : PROVIDERS[i % PROVIDERS.length],
      agentId: `agent-${i % 5}`,
      agentName: `Agent ${i % 5}`,
      actorType: i % 2 ? 'user' : 'agent',
      actorId: `actor-${i % 4}`,
      status: kind,
      durationMs: kind === 'executed' ? 10 + ((i * 37) % 500) : kind === 'failed' ? 5 + ((i * 13) % 90) : null,
      errorCode: kind === 'failed' ? `E_${i % 3}` : null,
      decision: approved ? 'approved' : kind === 'cancelled' ? 'rejected' : 'not_required',
      decisionMs: approved ? 100 + i * 7 : kind === 'cancelled' ? 40 + i * 3 : null,
      startedAt: end - spanMs + Math.floor(((i + 0.5) * spanMs) / n),
    };
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The events of the seeded actions and the signals, as agents post them. */
export function seedEvents(actions: SeedAction[], sessionPrefix: string): ActionEventInput[] {
  const out: ActionEventInput[] = [];
  for (const a of actions) {
    const common = {
      actionId: a.actionId,
      sessionId: `${sessionPrefix}-${a.agentId}`,
      agent: { id: a.agentId, name: a.agentName },
      actor: { type: a.actorType, id: a.actorId },
      tool: { name: a.tool, riskLevel: 'moderate' as const, ...(a.provider ? { provider: a.provider } : {}) },
    };
    const at = (s: number) => iso(a.startedAt + s * 1_000);
    const needsApproval = a.decision === 'approved' || a.decision === 'rejected';
    out.push({ ...common, type: 'action.attempted', occurredAt: at(0), input: { n: 1 }, approval: needsApproval ? { required: true } : { required: false, decision: 'not_required' } } as ActionEventInput);
    if (a.decision === 'approved') out.push({ ...common, type: 'action.confirmed', occurredAt: at(1), approval: { required: true, decision: 'approved', approvedBy: 'lead', decisionMs: a.decisionMs! } } as ActionEventInput);
    if (a.status === 'executed') out.push({ ...common, type: 'action.executed', occurredAt: at(2), durationMs: a.durationMs!, output: { ok: true } } as ActionEventInput);
    if (a.status === 'failed') out.push({ ...common, type: 'action.failed', occurredAt: at(2), durationMs: a.durationMs!, error: { message: 'upstream refused', code: a.errorCode! } } as ActionEventInput);
    if (a.status === 'cancelled') out.push({ ...common, type: 'action.cancelled', occurredAt: at(2), approval: { required: true, decision: 'rejected', decisionMs: a.decisionMs! } } as ActionEventInput);
  }
  const first = Math.min(...actions.map((a) => a.startedAt));
  let k = 0;
  for (const [type, count] of Object.entries(SIGNALS)) {
    for (let i = 0; i < count; i++) {
      out.push({ type, sessionId: `${sessionPrefix}-signals`, occurredAt: iso(first + 5_000 + k++ * 1_000), agent: { id: 'agent-0', name: 'Agent 0' }, actor: { type: 'agent', id: 'agent-0' } } as ActionEventInput);
    }
  }
  return out;
}

/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
export function percentileCont(values: number[], q: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const avg = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) m.set(key(it), [...(m.get(key(it)) ?? []), it]);
  return m;
}

const counts = (as: SeedAction[]) => ({
  total: as.length,
  executed: as.filter((a) => a.status === 'executed').length,
  failed: as.filter((a) => a.status === 'failed').length,
  avgDurationMs: avg(as.flatMap((a) => (a.durationMs === null ? [] : [a.durationMs]))),
});

const durationFigures = (as: SeedAction[]) => {
  const d = as.flatMap((a) => (a.durationMs === null ? [] : [a.durationMs]));
  return { n: d.length, avgMs: avg(d), minMs: d.length ? Math.min(...d) : null, maxMs: d.length ? Math.max(...d) : null, p50: percentileCont(d, 0.5), p95: percentileCont(d, 0.95), p99: percentileCont(d, 0.99) };
};

/** Every statistic of the seed, computed here from what was seeded (not from the API). */
export function expectedStats(actions: SeedAction[], events: ActionEventInput[]) {
  const byStatus: Record<string, number> = {};
  for (const a of actions) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  const executed = byStatus.executed ?? 0;
  const failed = byStatus.failed ?? 0;
  const eventsByType: Record<string, number> = {};
  for (const e of events) eventsByType[e.type] = (eventsByType[e.type] ?? 0) + 1;
  const decisions = actions.flatMap((a) => (a.decisionMs === null ? [] : [a.decisionMs]));
  const approvals: Record<string, number> = {};
  for (const a of actions) if (a.decision) approvals[a.decision] = (approvals[a.decision] ?? 0) + 1;
  const failures = [...groupBy(actions.filter((a) => a.status === 'failed'), (a) => `${a.tool}|${a.errorCode}`).values()].map((g) => ({ tool: g[0].tool, errorCode: g[0].errorCode, n: g.length }));
  return {
    totals: { actions: actions.length, byStatus, events: events.length },
    successRate: executed / actions.length,
    successRateOfFinished: executed / (executed + failed),
    byTool: [...groupBy(actions, (a) => a.tool).entries()].map(([tool, g]) => ({ tool, ...counts(g), cancelled: g.filter((a) => a.status === 'cancelled').length })),
    byProvider: [...groupBy(actions, (a) => String(a.provider)).values()].map((g) => ({ provider: g[0].provider, ...counts(g) })),
    byAgent: [...groupBy(actions, (a) => a.agentId).values()].map((g) => ({ agentId: g[0].agentId, agentName: g[0].agentName, ...counts(g) })),
    byActor: [...groupBy(actions, (a) => `${a.actorType}|${a.actorId}`).values()].map((g) => ({ actorType: g[0].actorType, actorId: g[0].actorId, ...counts(g) })),
    approvals,
    decisionTime: { n: decisions.length, avgMs: avg(decisions), p50Ms: percentileCont(decisions, 0.5), p95Ms: percentileCont(decisions, 0.95), maxMs: Math.max(...decisions) },
    duration: durationFigures(actions),
    durations: [...groupBy(actions.filter((a) => a.durationMs !== null), (a) => a.tool).entries()].map(([tool, g]) => ({ tool, ...durationFigures(g) })),
    failures,
    signals: { 'signal.handoff_requested': 0, 'signal.agent_handoff': SIGNALS['signal.agent_handoff'], 'signal.permission_denied': 0, 'signal.rate_limited': SIGNALS['signal.rate_limited'], 'signal.budget_exceeded': SIGNALS['signal.budget_exceeded'] },
    eventsByType,
  };
}

/** Numbers rounded to 6 decimals, recursively: floating sums in SQL and here agree to that. */
export function rounded<T>(v: T): T {
  if (typeof v === 'number') return (Math.round(v * 1e6) / 1e6) as T;
  if (Array.isArray(v)) return v.map(rounded) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)])) as T;
  return v;
}

/** Rows in a stable order (by their JSON), so two lists of the same rows compare equal. */
export const sortedRows = <T>(rows: T[]): T[] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
