/**
 * The query columns of an `audit_events` row, derived from the stored event. The projector writes
 * them with this function and verification re-derives and compares them, so the two can never
 * disagree about what "derived" means.
 */
export interface DerivedColumns {
  tenantId: string;
  eventId: string;
  type: string;
  actionId: string | null;
  sessionId: string | null;
  agentId: string | null;
  actorId: string | null;
  toolName: string | null;
  riskLevel: string | null;
  approvalDecision: string | null;
  subjectId: string | null;
  resourceType: string | null;
  resourceId: string | null;
  /** RFC 3339 UTC with milliseconds (what `timestamptz` keeps of it, in a form PostgreSQL parses). */
  occurredAt: string;
  receivedAt: string;
}

/** Thrown when an event cannot be stored as a row (a value PostgreSQL cannot hold). */
export class UnstorableEventError extends Error {
  override name = 'UnstorableEventError';
}

const LONE_SURROGATE_OR_NUL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g;

/**
 * A string as a PostgreSQL `text`/`jsonb` value can hold it: NUL and unpaired surrogates (which
 * JSON allows as escapes) become U+FFFD. Deterministic, so re-deriving gives the same value. The
 * intake contract now refuses such text at every way in; the mapping stays so that rows stored
 * before it re-derive to what was written.
 */
export function storableText(value: string): string {
  return value.replace(LONE_SURROGATE_OR_NUL, '\uFFFD');
}

// What a `timestamptz` column and an RFC 3339 string can both hold: years 0001-9999 (UTC). Parsed
// from text: `Date.UTC` reads a year below 100 as 1900 + year. New events are narrower still (the
// intake contract accepts 1970-9999, see instant-range.ts in libs/contracts), but verification
// re-derives the columns of every stored row, so this bound must keep accepting what was stored.
const MIN_TIME = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');

function timestamp(value: unknown, field: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new UnstorableEventError(`${field} is not a date-time`);
  if (ms < MIN_TIME || ms > MAX_TIME) throw new UnstorableEventError(`${field} is outside the years 1-9999`);
  return new Date(ms).toISOString();
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? storableText(value) : null;
}

/** Derives the columns from a stored event (parsed `event_json`); throws {@link UnstorableEventError}. */
export function deriveColumns(stored: unknown): DerivedColumns {
  const e = obj(stored);
  if (!e) throw new UnstorableEventError('event is not a JSON object');
  const required = (name: string): string => {
    const v = e[name];
    if (typeof v !== 'string' || !v) throw new UnstorableEventError(`${name} is missing`);
    return storableText(v);
  };
  return {
    tenantId: required('tenantId'),
    eventId: required('eventId'),
    type: required('type'),
    actionId: text(e.actionId),
    sessionId: text(e.sessionId),
    agentId: text(obj(e.agent)?.id),
    actorId: text(obj(e.actor)?.id),
    toolName: text(obj(e.tool)?.name),
    riskLevel: text(obj(e.tool)?.riskLevel),
    approvalDecision: text(obj(e.approval)?.decision),
    subjectId: text(obj(e.subject)?.id),
    resourceType: text(obj(e.resource)?.type),
    resourceId: text(obj(e.resource)?.id),
    occurredAt: timestamp(e.occurredAt, 'occurredAt'),
    receivedAt: timestamp(e.receivedAt, 'receivedAt'),
  };
}
