import type { Query } from '../api/client';
import type { Action } from '../api/types';
import { ACTION_ANOMALY_CODES, ACTION_STATUSES, APPROVAL_DECISIONS, RISK_LEVELS } from '../shared/vocabulary';

/**
 * The actions view's filters. They live in the page's URL query (shareable, back/forward work)
 * under the API's own parameter names, and go to /v1/actions, /v1/stream and /v1/export as they are.
 */
export interface ActionFilters {
  tool?: string;
  provider?: string;
  status?: (typeof ACTION_STATUSES)[number];
  riskLevel?: (typeof RISK_LEVELS)[number];
  approvalDecision?: (typeof APPROVAL_DECISIONS)[number];
  sessionId?: string;
  actorId?: string;
  subjectId?: string;
  taskId?: string;
  planId?: string;
  approvalId?: string;
  /** Actions marked with this anomaly code (docs/accountability.md). */
  anomalyCode?: (typeof ACTION_ANOMALY_CODES)[number];
  /** Free text: tool name, agent id or name, error message (case-insensitive substring). */
  q?: string;
  /** RFC 3339 instants. */
  from?: string;
  to?: string;
  /** The list's order (not a filter: /v1/stream and /v1/export take no sort); absent = newest first. */
  sort?: (typeof ACTION_SORTS)[number];
}

/** The orders GET /v1/actions offers besides the default (newest first). */
export const ACTION_SORTS = ['duration_desc'] as const;

export const FILTER_KEYS = [
  'q', 'tool', 'provider', 'status', 'riskLevel', 'approvalDecision', 'anomalyCode', 'sessionId', 'actorId', 'subjectId', 'taskId', 'planId', 'approvalId', 'from', 'to',
] as const;
/** What the page's URL holds: the filters and the order. */
const VIEW_KEYS = [...FILTER_KEYS, 'sort'] as const;

const oneOf = <T extends readonly string[]>(values: T, v: string | null): T[number] | undefined => (v !== null && (values as readonly string[]).includes(v) ? v : undefined);
const text = (v: string | null): string | undefined => {
  const t = v?.trim();
  return t ? t.slice(0, 200) : undefined;
};
// The API refuses control characters in q.
const search = (v: string | null): string | undefined => text(v?.replace(/[\u0000-\u001f\u007f]/g, ' ') ?? null);
const instant = (v: string | null): string | undefined => (v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : undefined);

/** The filters of a URL query; unknown parameters and values outside a vocabulary are dropped. */
export function filtersFromSearch(params: URLSearchParams): ActionFilters {
  const f: ActionFilters = {
    q: search(params.get('q')),
    tool: text(params.get('tool')),
    provider: text(params.get('provider')),
    status: oneOf(ACTION_STATUSES, params.get('status')),
    riskLevel: oneOf(RISK_LEVELS, params.get('riskLevel')),
    approvalDecision: oneOf(APPROVAL_DECISIONS, params.get('approvalDecision')),
    anomalyCode: oneOf(ACTION_ANOMALY_CODES, params.get('anomalyCode')),
    sessionId: text(params.get('sessionId')),
    actorId: text(params.get('actorId')),
    subjectId: text(params.get('subjectId')),
    taskId: text(params.get('taskId')),
    planId: text(params.get('planId')),
    approvalId: text(params.get('approvalId')),
    from: instant(params.get('from')),
    to: instant(params.get('to')),
    sort: oneOf(ACTION_SORTS, params.get('sort')),
  };
  return clean(f);
}

/** Drops the unset filters. */
export function clean(f: ActionFilters): ActionFilters {
  const out: ActionFilters = {};
  for (const k of VIEW_KEYS) if (f[k] !== undefined && f[k] !== '') (out as Record<string, string>)[k] = f[k] as string;
  return out;
}

/** `?status=failed&tool=x` (keys in a fixed order), or ''. */
export function filtersToSearch(f: ActionFilters): string {
  const params = new URLSearchParams();
  for (const k of VIEW_KEYS) if (f[k]) params.set(k, f[k] as string);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The filters as /v1/actions, /v1/stream and /v1/export take them (without the order). */
export function filtersToQuery(f: ActionFilters): Query {
  const { sort: _sort, ...filters } = clean(f);
  return filters;
}

/** The query of the actions list: the filters and the order. */
export function listQuery(f: ActionFilters): Query {
  return f.sort ? { ...filtersToQuery(f), sort: f.sort } : filtersToQuery(f);
}

export function isFiltered(f: ActionFilters): boolean {
  return FILTER_KEYS.some((k) => f[k] !== undefined);
}

/** "status failed, tool refund_order" — for announcements and labels. */
export function describeFilters(f: ActionFilters): string {
  const names: Record<(typeof FILTER_KEYS)[number], string> = {
    q: 'text',
    tool: 'tool',
    provider: 'provider',
    status: 'status',
    riskLevel: 'risk',
    approvalDecision: 'approval',
    anomalyCode: 'anomaly',
    sessionId: 'session',
    actorId: 'actor',
    subjectId: 'subject',
    taskId: 'task',
    planId: 'plan',
    approvalId: 'approval id',
    from: 'from',
    to: 'until',
  };
  const parts = FILTER_KEYS.filter((k) => f[k]).map((k) => `${names[k]} ${f[k]}`);
  return parts.length ? parts.join(', ') : 'no filters';
}

/**
 * Whether an action belongs in the filtered list (live updates add or drop rows by it). The date
 * range is on the action's first event, as the API applies it.
 */
export function matchesFilters(a: Action, f: ActionFilters): boolean {
  if (f.tool && a.tool?.name !== f.tool) return false;
  if (f.provider && a.tool?.provider !== f.provider) return false;
  if (f.subjectId && a.subjectId !== f.subjectId) return false;
  if (f.taskId && a.taskId !== f.taskId) return false;
  if (f.planId && a.plan?.planId !== f.planId) return false;
  if (f.approvalId && a.approval?.approvalId !== f.approvalId) return false;
  if (f.q && ![a.tool?.name, a.agent?.id, a.agent?.name, a.error?.message].some((v) => v?.toLowerCase().includes(f.q!.toLowerCase()))) return false;
  if (f.status && a.status !== f.status) return false;
  if (f.riskLevel && a.tool?.riskLevel !== f.riskLevel) return false;
  if (f.approvalDecision && a.approval?.decision !== f.approvalDecision) return false;
  if (f.anomalyCode && !a.anomalies.some((x) => x.code === f.anomalyCode)) return false;
  if (f.sessionId && a.sessionId !== f.sessionId) return false;
  if (f.actorId && a.actor?.id !== f.actorId) return false;
  const first = a.firstEventAt ? Date.parse(a.firstEventAt) : NaN;
  if (f.from && !(first >= Date.parse(f.from))) return false;
  if (f.to && !(first < Date.parse(f.to))) return false;
  return true;
}

/** A list with `fresh` merged in: an action already listed is replaced in place, a new one goes on top. */
export function mergeActions(list: Action[], fresh: Action[], f: ActionFilters): { list: Action[]; added: Action[] } {
  let next = [...list];
  const added: Action[] = [];
  for (const a of fresh) {
    const i = next.findIndex((x) => x.actionId === a.actionId);
    const keep = matchesFilters(a, f);
    if (i !== -1) {
      if (keep) next[i] = a;
      else next = next.filter((_, j) => j !== i);
    } else if (keep) {
      next = [a, ...next];
      added.push(a);
    }
  }
  return { list: next, added };
}
