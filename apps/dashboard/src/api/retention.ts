import type { ApiProblem } from './problem';

/** The tenant's retention policy; `default` while the tenant never set one. */
export interface RetentionPolicy {
  retainFor: string;
  archive: boolean;
  legalHold: boolean;
  updatedAt: string | null;
  default: boolean;
}

export interface RetentionArchive {
  location: string;
  object: string;
  manifest: string;
  sha256: string;
  bytes: number;
}

export type PurgeState = 'planned' | 'archived' | 'recorded' | 'purged';

export interface RetentionPurge {
  purgeId: string;
  ordinal: number;
  state: PurgeState;
  events: number;
  horizon: string;
  recordedFrom: string | null;
  recordedTo: string | null;
  createdAt: string;
  purgedAt: string | null;
  archive: RetentionArchive | null;
}

/** `GET`/`PUT /v1/retention`: the policy, the retention horizon (the oldest instant still kept) and the newest purges (≤ 20). */
export interface RetentionView {
  policy: RetentionPolicy;
  horizon: string | null;
  purges: RetentionPurge[];
}

/** `PUT /v1/retention`: only the fields to change. */
export interface RetentionChange {
  retainFor?: string;
  archive?: boolean;
  legalHold?: boolean;
}

export type RunState = 'queued' | 'running' | 'completed' | 'failed';

export interface RunResult {
  tenantId: string;
  outcome: 'purged' | 'nothing_to_purge' | 'legal_hold' | 'busy';
  purgeId?: string;
  events?: number;
  archive?: unknown;
}

/** `POST /v1/retention/runs` (202) and `GET /v1/retention/runs/:runId`. */
export interface RetentionRun {
  runId: string;
  state: RunState;
  result?: RunResult;
  error?: string;
}

export const isRunOver = (run: RetentionRun): boolean => run.state === 'completed' || run.state === 'failed';

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const DAY = 86_400;
const YEAR = 365.25 * DAY;
/** Seconds per unit, in the order of the pattern's groups: Y M W D H M S (a year of 365.25 days, as the API counts). */
const UNIT_SECONDS = [YEAR, YEAR / 12, 7 * DAY, DAY, 3_600, 60, 1];

/**
 * Why a retention period would be refused, or undefined when it is fine: an ISO 8601 duration of
 * whole numbers from PT1S to P100Y (`P[nY][nM][nW][nD][T[nH][nM][nS]]`). The API checks it again.
 */
export function retainForProblem(text: string): string | undefined {
  const v = text.trim().toUpperCase();
  if (!v) return 'Give a period, e.g. P90D.';
  const m = v.length <= 64 ? DURATION.exec(v) : null;
  if (!m) return 'Use an ISO 8601 duration of whole numbers, such as P90D (90 days), P1Y, P2W or PT12H.';
  const parts = m.slice(1);
  if (parts.every((p) => p === undefined)) return 'Name at least one amount, e.g. P90D (not "P" alone).';
  if (v.includes('T') && parts.slice(4).every((p) => p === undefined)) return 'Name hours, minutes or seconds after "T", e.g. PT12H.';
  const seconds = parts.reduce((sum, p, i) => sum + (p === undefined ? 0 : Number(p) * UNIT_SECONDS[i]), 0);
  if (seconds < 1) return 'The period must be at least PT1S (one second).';
  if (seconds > 100 * YEAR) return 'The period must be at most P100Y.';
  return undefined;
}

/** The fields that differ from the policy: what a PUT sends (nothing when nothing changed). */
export function policyChange(policy: RetentionPolicy, form: { retainFor: string; archive: boolean; legalHold: boolean }): RetentionChange {
  const retainFor = form.retainFor.trim().toUpperCase();
  return {
    ...(retainFor !== policy.retainFor ? { retainFor } : {}),
    ...(form.archive !== policy.archive ? { archive: form.archive } : {}),
    ...(form.legalHold !== policy.legalHold ? { legalHold: form.legalHold } : {}),
  };
}

const FORM_FIELDS = ['retainFor', 'archive', 'legalHold'] as const;
export type PolicyField = (typeof FORM_FIELDS)[number];

/**
 * The API's 400 as messages per form field (`field` may be a JSON pointer, `/retainFor`); what
 * names no field of the form goes under `form`.
 */
export function problemsByField(p: ApiProblem): Partial<Record<PolicyField | 'form', string>> {
  const out: Partial<Record<PolicyField | 'form', string>> = {};
  const list = p.errors.length ? p.errors : [{ field: p.field ?? '', message: p.message }];
  for (const e of list) {
    const name = e.field.replace(/^\//, '').split('/')[0];
    const key = (FORM_FIELDS as readonly string[]).includes(name) ? (name as PolicyField) : 'form';
    out[key] = out[key] ? `${out[key]}; ${e.message}` : e.message;
  }
  return out;
}

/** The first characters of a SHA-256, for a table (the full value goes into a title). */
export const shortSha = (sha: string | null | undefined, n = 12): string => (sha ? (sha.length > n ? `${sha.slice(0, n)}…` : sha) : '—');

/** Where an archive is: `location/object` (or whichever the API gave). */
export function archiveWhere(a: unknown): string | undefined {
  if (typeof a === 'string') return a || undefined;
  if (!a || typeof a !== 'object') return undefined;
  const { location, object } = a as { location?: unknown; object?: unknown };
  const loc = typeof location === 'string' && location ? location : undefined;
  const obj = typeof object === 'string' && object ? object : undefined;
  if (loc && obj) return loc.endsWith(obj) ? loc : `${loc.replace(/\/+$/, '')}/${obj.replace(/^\/+/, '')}`;
  return loc ?? obj;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-GB')} ${word}${n === 1 ? '' : 's'}`;

/** One sentence on how a finished run ended (or where it stands). */
export function describeRun(run: RetentionRun): string {
  if (run.state === 'failed') return `The retention run failed: ${run.error ?? 'no reason given'}.`;
  if (run.state !== 'completed') return run.state === 'queued' ? 'The retention run is queued…' : 'The retention run is running…';
  const r = run.result;
  switch (r?.outcome) {
    case 'purged': {
      const where = archiveWhere(r.archive);
      return `Purged ${typeof r.events === 'number' ? plural(r.events, 'event') : 'events'}${where ? `, archived to ${where}` : ' (archiving is off)'}.`;
    }
    case 'nothing_to_purge':
      return 'Nothing to purge: no event is older than the policy keeps.';
    case 'legal_hold':
      return 'Nothing was purged: a legal hold is set.';
    case 'busy':
      return 'Nothing was done: another retention run of this tenant was in progress. Try again shortly.';
    default:
      return 'The retention run completed.';
  }
}
