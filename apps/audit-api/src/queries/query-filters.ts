import { createHash } from 'node:crypto';
import { ACTION_ANOMALY_CODES, ACTION_STATUSES, APPROVAL_DECISIONS, CHANGE_ACTIONS, EVENT_TYPES, RISK_LEVELS } from '@agent-ledger/contracts';
import { ApiError, instantParam, parseInstant } from '@agent-ledger/runtime';
import { z } from 'zod';

const text = (name: string) => z.string().min(1, `${name} must not be empty`).max(200, `${name} must be at most 200 characters`);
const oneOf = <T extends readonly [string, ...string[]]>(name: string, values: T) =>
  z.enum(values as unknown as [T[number], ...T[number][]], { errorMap: () => ({ message: `${name} must be one of: ${values.join(', ')}` }) });

/** An RFC 3339 date-time (a date alone means its midnight UTC), strictly: 2024-02-30 is refused. */
export const instant = instantParam;

const bool = (name: string) =>
  z.enum(['true', 'false'], { errorMap: () => ({ message: `${name} must be true or false` }) }).transform((v) => v === 'true');

export const limit = (max: number, fallback: number) =>
  z.coerce
    .number({ invalid_type_error: 'limit must be a number' })
    .int('limit must be an integer')
    .min(1, 'limit must be at least 1')
    .max(max, `limit must be at most ${max}`)
    .default(fallback);

/** Free text: a case-insensitive substring of the tool name, agent id or name, or error message. */
const searchText = z
  .string()
  .min(1, 'q must not be empty')
  .max(200, 'q must be at most 200 characters')
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'q must not contain control characters');

const actionFields = {
  status: oneOf('status', ACTION_STATUSES).optional(),
  provider: text('provider').optional(),
  subjectId: text('subjectId').optional(),
  taskId: text('taskId').optional(),
  planId: text('planId').optional(),
  approvalId: text('approvalId').optional(),
  q: searchText.optional(),
  tool: text('tool').optional(),
  riskLevel: oneOf('riskLevel', RISK_LEVELS).optional(),
  sessionId: text('sessionId').optional(),
  agentId: text('agentId').optional(),
  actorId: text('actorId').optional(),
  approvalDecision: oneOf('approvalDecision', APPROVAL_DECISIONS).optional(),
  anomaly: bool('anomaly').optional(),
  /** Actions marked with this anomaly code (docs/accountability.md). */
  anomalyCode: oneOf('anomalyCode', ACTION_ANOMALY_CODES).optional(),
  from: instant('from').optional(),
  to: instant('to').optional(),
};

/** A window [from, to): from must be before to (every endpoint that takes a window checks it). */
export const window = <T extends { from?: Date; to?: Date }>(q: T) => !q.from || !q.to || q.from < q.to;
export const windowIssue = { message: 'from must be before to', path: ['from'] };

export const actionFilterSchema = z.object(actionFields).strict().refine(window, windowIssue);
export type ActionFilter = z.infer<typeof actionFilterSchema>;

/** `recent`: newest first (seq); `duration_desc`: slowest first, actions without a duration left out. */
export const ACTION_SORTS = ['recent', 'duration_desc'] as const;
export type ActionSort = (typeof ACTION_SORTS)[number];

export const listActionsSchema = z
  .object({ ...actionFields, sort: oneOf('sort', ACTION_SORTS).default('recent'), limit: limit(1_000, 100), cursor: z.string().max(500).optional() })
  .strict()
  .refine(window, windowIssue);

const eventFields = {
  ...actionFields,
  type: oneOf('type', EVENT_TYPES).optional(),
  resourceType: text('resourceType').optional(),
  resourceId: text('resourceId').optional(),
  changeAction: oneOf('changeAction', CHANGE_ACTIONS).optional(),
};
export const eventFilterSchema = z.object(eventFields).strict().refine(window, windowIssue);
export type EventFilter = z.infer<typeof eventFilterSchema>;

export const exportSchema = z
  .object({ ...eventFields, format: oneOf('format', ['csv', 'json', 'jsonl'] as const).default('csv') })
  .strict()
  .refine(window, windowIssue);

export const listEventsSchema = z
  .object({ ...eventFields, limit: limit(1_000, 100), cursor: z.string().max(500).optional() })
  .strict()
  .refine(window, windowIssue);

export const idParam = (name: string) => z.object({ [name]: text(name) });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** What each position of a cursor holds: a bigint sequence, an instant, a uuid, a duration (ms). */
const CURSOR_SHAPES = { actions: ['seq'], slowest: ['duration', 'seq'], events: ['instant', 'uuid'], escalations: ['instant', 'uuid'] } as const;
export type CursorKind = keyof typeof CURSOR_SHAPES;
type CursorPart = (typeof CURSOR_SHAPES)[CursorKind][number];

/** A position value in the form its SQL parameter takes, or undefined when it is not one. */
function cursorPart(part: CursorPart, v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v);
  switch (part) {
    case 'seq':
      return /^\d{1,19}$/.test(s) && BigInt(s) <= MAX_BIGINT ? s : undefined;
    case 'instant':
      return parseInstant(s)?.toISOString();
    case 'uuid':
      return UUID.test(s) ? s.toLowerCase() : undefined;
    case 'duration': {
      const n = typeof v === 'number' ? v : Number.NaN;
      return Number.isFinite(n) && n >= 0 ? String(n) : undefined;
    }
  }
}

const invalidCursor = (message = 'cursor is not a cursor this API returned') => ApiError.badRequest('invalid_cursor', message, 'cursor');

/**
 * Opaque pagination cursors: base64url JSON holding the position and a fingerprint of the tenant,
 * so a cursor is refused (400, field `cursor`) by another tenant or in another list. Decoding checks
 * every position value against its kind's shape: a forged position is a 400, never a database error.
 */
export function encodeCursor(kind: CursorKind, tenantId: string, position: (string | number)[]): string {
  return Buffer.from(JSON.stringify({ k: kind, t: fingerprint(tenantId), p: position })).toString('base64url');
}

export function decodeCursor(kind: CursorKind, tenantId: string, cursor: string): string[] {
  let parsed: { k?: unknown; t?: unknown; p?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.k !== kind || !Array.isArray(parsed.p)) throw invalidCursor(`cursor does not belong to this ${kind} list`);
  if (parsed.t !== fingerprint(tenantId)) throw invalidCursor('cursor belongs to another tenant');
  const shape = CURSOR_SHAPES[kind];
  const position = parsed.p as unknown[];
  if (position.length !== shape.length) throw invalidCursor();
  return shape.map((part, i) => {
    const value = cursorPart(part, position[i]);
    if (value === undefined) throw invalidCursor();
    return value;
  });
}

function fingerprint(tenantId: string): string {
  return createHash('sha256').update(`cursor|${tenantId}`).digest('base64url').slice(0, 12);
}

/** Builds a WHERE clause with numbered parameters. */
export class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  constructor(tenantColumn: string, tenantId: string) {
    this.add(`${tenantColumn} = ?`, tenantId);
  }

  /** `sql` with `?` placeholders, one per value. */
  add(sql: string, ...values: unknown[]): this {
    let i = 0;
    this.clauses.push(
      sql.replace(/\?/g, () => {
        this.params.push(values[i++]);
        return `$${this.params.length}`;
      }),
    );
    return this;
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  toString(): string {
    return this.clauses.join(' AND ');
  }
}

/** `value` as an ILIKE pattern matching it as a substring (\\, % and _ taken literally). */
export function containsPattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The text `q` searches, as the index of migration 1732300001900 holds it. */
const searchColumns = (alias: string) => `ledger_search_text(${alias}.tool_name, ${alias}.agent_id, ${alias}.agent_name, ${alias}.error_message)`;

/** An action marked with a code: flagged, and its `anomalies` (jsonb) hold an entry with that code. */
const anomalyCodeClause = (alias: string) => `${alias}.anomaly AND ${alias}.anomalies @> ?::jsonb`;
const anomalyCodeJson = (code: string) => JSON.stringify([{ code }]);

/** The filters `actions` and `audit_events` share, on columns of the same names. */
function whereCommon(w: Where, f: ActionFilter, alias: string): void {
  if (f.tool) w.add(`${alias}.tool_name = ?`, f.tool);
  if (f.provider) w.add(`${alias}.tool_provider = ?`, f.provider);
  if (f.riskLevel) w.add(`${alias}.risk_level = ?`, f.riskLevel);
  if (f.sessionId) w.add(`${alias}.session_id = ?`, f.sessionId);
  if (f.agentId) w.add(`${alias}.agent_id = ?`, f.agentId);
  if (f.actorId) w.add(`${alias}.actor_id = ?`, f.actorId);
  if (f.subjectId) w.add(`${alias}.subject_id = ?`, f.subjectId);
  if (f.approvalDecision) w.add(`${alias}.approval_decision = ?`, f.approvalDecision);
  if (f.taskId) w.add(`${alias}.task_id = ?`, f.taskId);
  if (f.planId) w.add(`${alias}.plan_id = ?`, f.planId);
  if (f.approvalId) w.add(`${alias}.approval_id = ?`, f.approvalId);
  if (f.q) w.add(`${searchColumns(alias)} ILIKE ?`, containsPattern(f.q));
}

/** The action-level filters on the `actions` table (alias a). */
export function whereActions(tenantId: string, f: ActionFilter, alias = 'a'): Where {
  const w = new Where(`${alias}.tenant_id`, tenantId);
  if (f.status) w.add(`${alias}.status = ?`, f.status);
  whereCommon(w, f, alias);
  if (f.anomaly !== undefined) w.add(`${alias}.anomaly = ?`, f.anomaly);
  if (f.anomalyCode) w.add(anomalyCodeClause(alias), anomalyCodeJson(f.anomalyCode));
  if (f.from) w.add(`${alias}.first_event_at >= ?`, f.from);
  if (f.to) w.add(`${alias}.first_event_at < ?`, f.to);
  return w;
}

/** The filters on `audit_events` (alias e); status and anomaly are those of the event's action. */
export function whereEvents(tenantId: string, f: EventFilter, alias = 'e'): Where {
  const w = new Where(`${alias}.tenant_id`, tenantId);
  if (f.type) w.add(`${alias}.type = ?`, f.type);
  whereCommon(w, f, alias);
  if (f.changeAction) w.add(`${alias}.change_action = ?`, f.changeAction);
  if (f.resourceType) w.add(`${alias}.resource_type = ?`, f.resourceType);
  if (f.resourceId) w.add(`${alias}.resource_id = ?`, f.resourceId);
  if (f.from) w.add(`${alias}.occurred_at >= ?`, f.from);
  if (f.to) w.add(`${alias}.occurred_at < ?`, f.to);
  if (f.status !== undefined || f.anomaly !== undefined || f.anomalyCode !== undefined) {
    const clauses: string[] = [`x.tenant_id = ${w.param(tenantId)}`];
    if (f.status) clauses.push(`x.status = ${w.param(f.status)}`);
    if (f.anomaly !== undefined) clauses.push(`x.anomaly = ${w.param(f.anomaly)}`);
    if (f.anomalyCode) clauses.push(anomalyCodeClause('x').replace('?', w.param(anomalyCodeJson(f.anomalyCode))));
    w.add(`EXISTS (SELECT 1 FROM actions x WHERE x.action_id = ${alias}.action_id AND ${clauses.join(' AND ')})`);
  }
  return w;
}
