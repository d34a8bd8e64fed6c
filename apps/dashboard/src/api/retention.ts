import { checkRetentionDuration } from '../../../../libs/contracts/src/retention-duration';
import type { RetentionChange, RetentionPolicyView as RetentionPolicy, RetentionRunView as RetentionRun } from '../../../../libs/contracts/src/retention';
import type { ApiProblem } from './problem';

export type {
  RetentionArchiveView as RetentionArchive,
  RetentionChange,
  RetentionOutcome,
  RetentionPolicyView as RetentionPolicy,
  RetentionPurgeState as PurgeState,
  RetentionPurgeView as RetentionPurge,
  RetentionRunResult as RunResult,
  RetentionRunState as RunState,
  RetentionRunView as RetentionRun,
  RetentionView,
} from '../../../../libs/contracts/src/retention';

export const isRunOver = (run: RetentionRun): boolean => run.state === 'completed' || run.state === 'failed';

/**
 * Why a retention period would be refused, or undefined when it is fine: the API's own check (an ISO
 * 8601 duration of whole numbers from PT1S to P100Y), run in the browser first.
 */
export function retainForProblem(text: string): string | undefined {
  const v = text.trim().toUpperCase();
  if (!v) return 'Give a period, e.g. P90D.';
  const check = checkRetentionDuration(v, 'The period');
  return check.ok ? undefined : `${check.message}.`;
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
