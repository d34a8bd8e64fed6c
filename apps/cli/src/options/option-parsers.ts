import { InvalidArgumentError } from 'commander';

export { ACTION_ANOMALY_CODES, ACTION_STATUSES, APPROVAL_DECISIONS, CHANGE_ACTIONS, RISK_LEVELS } from '@agent-ledger/contracts';
export const EXPORT_FORMATS = ['csv', 'json', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * An instant for --from/--to, sent to the API as RFC 3339 (UTC):
 * an RFC 3339 date-time (`2026-03-01T09:00:00Z`, `…+02:00`), a date (`2026-03-01` = midnight UTC),
 * or a duration back from now (`90s`, `15m`, `24h`, `7d`, `2w`).
 */
export function parseInstant(value: string, now: () => number = Date.now): string {
  const v = value.trim();
  const rel = /^(\d+)([smhdw])$/.exec(v);
  if (rel) return new Date(now() - Number(rel[1]) * UNIT_MS[rel[2]]).toISOString();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = new Date(`${v}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(v)) return d.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/.test(v)) {
    const d = new Date(v.replace(' ', 'T'));
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  throw new InvalidArgumentError('expected an RFC 3339 date-time (2026-03-01T09:00:00Z), a date (2026-03-01) or a duration back from now (15m, 24h, 7d).');
}

/** A whole number in [min, max] for --limit and similar. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    const n = Number(value.trim());
    if (n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** Collects a repeatable option (and splits comma-separated values). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** The filter flags shared by `actions`, `export` and `tail`. */
export interface FilterFlags {
  status?: string;
  tool?: string;
  risk?: string;
  session?: string;
  agent?: string;
  actor?: string;
  provider?: string;
  subject?: string;
  task?: string;
  plan?: string;
  approvalId?: string;
  search?: string;
  changeAction?: string;
  approval?: string;
  anomaly?: boolean;
  anomalyCode?: string;
  type?: string;
  resourceType?: string;
  resourceId?: string;
  from?: string;
  to?: string;
}

/** Flag name → query parameter of the audit API (issue 4: `GET /v1/actions` and friends). */
const FILTER_PARAMS: Record<keyof FilterFlags, string> = {
  status: 'status',
  tool: 'tool',
  risk: 'riskLevel',
  session: 'sessionId',
  agent: 'agentId',
  actor: 'actorId',
  provider: 'provider',
  subject: 'subjectId',
  task: 'taskId',
  plan: 'planId',
  approvalId: 'approvalId',
  search: 'q',
  changeAction: 'changeAction',
  approval: 'approvalDecision',
  anomaly: 'anomaly',
  anomalyCode: 'anomalyCode',
  type: 'type',
  resourceType: 'resourceType',
  resourceId: 'resourceId',
  from: 'from',
  to: 'to',
};

/** The query parameters for the filter flags that were given. */
export function filtersToQuery(flags: FilterFlags): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [flag, param] of Object.entries(FILTER_PARAMS) as [keyof FilterFlags, string][]) {
    const v = flags[flag];
    if (v !== undefined && v !== '') query[param] = String(v);
  }
  return query;
}
