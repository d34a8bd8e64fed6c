/**
 * Escalations and their deliveries, read tolerantly: the escalation endpoints may name a field a
 * little differently (escalationId or id, openedAt or createdAt); each is normalised here, in one
 * place, so the views only know one shape.
 */

export interface EscalationEntry {
  type: string;
  at: string | null;
  by: string | null;
  note: string | null;
}

export interface Escalation {
  id: string;
  status: string;
  reason: string | null;
  severity: string | null;
  sessionId: string | null;
  actionId: string | null;
  summary: string | null;
  customerMessage: string | null;
  count: number | null;
  openedAt: string | null;
  lastSeenAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgeNote: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolveNotes: string | null;
  history: EscalationEntry[];
}

export interface DeliveryAttempt {
  attempt: number;
  startedAt: string | null;
  durationMs: number | null;
  statusCode: number | null;
  outcome: string;
  error: string | null;
}

export interface Delivery {
  id: string;
  escalationId: string | null;
  eventType: string | null;
  channel: string;
  target: string;
  status: string;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string | null;
  attempts: DeliveryAttempt[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first of `keys` (dotted paths allowed) holding a string. */
function str(o: Rec, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = k.split('.').reduce<unknown>((x, part) => (isRec(x) ? x[part] : undefined), o);
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return null;
}

function num(o: Rec, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return null;
}

/** The list in an answer: the array itself or under one of the usual keys. */
function listIn(body: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(body)) return body;
  if (!isRec(body)) return [];
  for (const k of keys) if (Array.isArray(body[k])) return body[k] as unknown[];
  return [];
}

function cursorIn(body: unknown): string | null {
  return isRec(body) ? str(body, 'nextCursor', 'next_cursor', 'cursor') : null;
}

export function normalizeEscalation(raw: unknown): Escalation | undefined {
  const o = isRec(raw) && isRec(raw.escalation) ? raw.escalation : raw;
  if (!isRec(o)) return undefined;
  const id = str(o, 'escalationId', 'id');
  if (!id) return undefined;
  const acknowledgedAt = str(o, 'acknowledgedAt', 'acknowledgement.at', 'acknowledged.at');
  const resolvedAt = str(o, 'resolvedAt', 'resolution.at', 'resolved.at');
  const status = (str(o, 'status', 'state') ?? (resolvedAt ? 'resolved' : acknowledgedAt ? 'acknowledged' : 'open')).toLowerCase();
  const history = listIn(isRec(raw) ? (raw.history ?? o.history ?? raw.events ?? o.events) : undefined)
    .filter(isRec)
    .map((h) => {
      // An entry may carry the escalation event itself (`event`) with who and why.
      const e = isRec(h.event) ? h.event : isRec(h.payload) ? h.payload : {};
      return {
        type: str(h, 'type', 'action') ?? str(e, 'type') ?? 'event',
        at: str(h, 'occurredAt', 'at', 'createdAt', 'recordedAt') ?? str(e, 'occurredAt'),
        by: str(h, 'by', 'actor', 'acknowledgedBy', 'resolvedBy') ?? str(e, 'acknowledgedBy', 'resolvedBy'),
        note: str(h, 'note', 'notes') ?? str(e, 'note', 'notes', 'summary'),
      };
    });
  const ackEntry = history.find((h) => /acknowledged$/.test(h.type));
  return {
    id,
    status,
    reason: str(o, 'reason'),
    severity: str(o, 'severity'),
    sessionId: str(o, 'sessionId'),
    actionId: str(o, 'actionId'),
    summary: str(o, 'summary'),
    customerMessage: str(o, 'customerMessage'),
    count: num(o, 'count', 'occurrences'),
    openedAt: str(o, 'openedAt', 'createdAt', 'occurredAt', 'firstSeenAt'),
    lastSeenAt: str(o, 'lastSeenAt', 'updatedAt'),
    acknowledgedAt,
    acknowledgedBy: str(o, 'acknowledgedBy', 'acknowledgement.by', 'acknowledged.by'),
    acknowledgeNote: str(o, 'acknowledgeNote', 'acknowledgedNote', 'acknowledgement.note', 'note') ?? ackEntry?.note ?? null,
    resolvedAt,
    resolvedBy: str(o, 'resolvedBy', 'resolution.by', 'resolved.by'),
    resolveNotes: str(o, 'resolutionNotes', 'resolveNotes', 'resolution.notes', 'notes'),
    history,
  };
}

export function escalationList(body: unknown): { items: Escalation[]; nextCursor: string | null } {
  const items = listIn(body, 'escalations', 'items', 'data')
    .map(normalizeEscalation)
    .filter((e): e is Escalation => e !== undefined);
  return { items, nextCursor: cursorIn(body) };
}

export function normalizeDelivery(raw: unknown): Delivery | undefined {
  if (!isRec(raw)) return undefined;
  const id = str(raw, 'id', 'deliveryId');
  if (!id) return undefined;
  const attempts = listIn(raw.attempts)
    .filter(isRec)
    .map((a, i) => ({
      attempt: num(a, 'attempt') ?? i + 1,
      startedAt: str(a, 'startedAt', 'at', 'createdAt'),
      durationMs: num(a, 'durationMs'),
      statusCode: num(a, 'statusCode'),
      outcome: str(a, 'outcome', 'status') ?? 'unknown',
      error: str(a, 'error'),
    }));
  return {
    id,
    escalationId: str(raw, 'escalationId'),
    eventType: str(raw, 'eventType'),
    channel: str(raw, 'channel') ?? 'unknown',
    target: str(raw, 'target') ?? '',
    status: str(raw, 'status') ?? 'unknown',
    attemptCount: num(raw, 'attemptCount', 'attempts') ?? attempts.length,
    lastStatusCode: num(raw, 'lastStatusCode'),
    lastError: str(raw, 'lastError'),
    nextAttemptAt: str(raw, 'nextAttemptAt'),
    deliveredAt: str(raw, 'deliveredAt'),
    createdAt: str(raw, 'createdAt'),
    attempts,
  };
}

export function deliveryList(body: unknown): { items: Delivery[]; nextCursor: string | null } {
  const items = listIn(body, 'deliveries', 'items', 'data')
    .map(normalizeDelivery)
    .filter((d): d is Delivery => d !== undefined);
  return { items, nextCursor: cursorIn(body) };
}
