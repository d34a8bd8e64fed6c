import Table from 'cli-table3';
import { formatDuration, formatTime, pick, text, truncate } from './format';

/** A column of a listing: the raw value (CSV, JSON) and how a table shows it. */
export interface Column {
  header: string;
  value: (row: unknown) => unknown;
  display?: (value: unknown) => string;
  /** Longest cell a table shows (longer ones end in …). */
  max?: number;
}

/** Columns of `agent-ledger actions` (fields read tolerantly: flat or nested shapes). */
export const ACTION_COLUMNS: readonly Column[] = [
  { header: 'TIME', value: (a) => pick(a, 'firstEventAt', 'attemptedAt', 'lastEventAt', 'occurredAt', 'createdAt'), display: formatTime },
  { header: 'ACTION', value: (a) => pick(a, 'actionId', 'id'), max: 36 },
  { header: 'STATUS', value: (a) => pick(a, 'status') },
  { header: 'TOOL', value: (a) => pick(a, 'toolName', 'tool.name', 'tool'), max: 28 },
  { header: 'RISK', value: (a) => pick(a, 'riskLevel', 'tool.riskLevel') },
  { header: 'APPROVAL', value: (a) => pick(a, 'approvalDecision', 'approval.decision') },
  { header: 'SESSION', value: (a) => pick(a, 'sessionId', 'session.id'), max: 24 },
  { header: 'AGENT', value: (a) => pick(a, 'agentId', 'agent.id'), max: 24 },
  { header: 'DURATION', value: (a) => pick(a, 'durationMs', 'duration'), display: formatDuration },
  { header: 'ANOMALY', value: (a) => (pick(a, 'anomaly') === true ? 'yes' : ''), display: (v) => (v ? String(v) : '') },
];

/** Columns of an action's timeline in `agent-ledger show`. */
export const TIMELINE_COLUMNS: readonly Column[] = [
  { header: 'TIME', value: (e) => pick(e, 'occurredAt', 'at', 'time', 'receivedAt'), display: formatTime },
  { header: 'TYPE', value: (e) => pick(e, 'type', 'stage') },
  { header: 'ACTOR', value: (e) => actorOf(e), max: 32 },
  { header: 'APPROVAL', value: (e) => approvalOf(e), max: 40 },
  { header: 'DURATION', value: (e) => pick(e, 'durationMs', 'event.durationMs'), display: formatDuration },
  { header: 'ERROR', value: (e) => errorOf(e), max: 60 },
  { header: 'REDACTED', value: (e) => redactedOf(e), max: 40 },
  { header: 'EVENT', value: (e) => pick(e, 'eventId', 'event.eventId'), max: 36 },
];

function actorOf(e: unknown): unknown {
  const type = pick(e, 'actor.type', 'event.actor.type', 'actorType');
  const id = pick(e, 'actor.id', 'event.actor.id', 'actorId');
  return type || id ? `${text(type)}:${text(id)}` : undefined;
}

function approvalOf(e: unknown): unknown {
  const decision = pick(e, 'approval.decision', 'event.approval.decision', 'approvalDecision');
  const by = pick(e, 'approval.approvedBy', 'event.approval.approvedBy', 'approvedBy');
  return decision ? `${text(decision)}${by ? ` by ${text(by)}` : ''}` : undefined;
}

function errorOf(e: unknown): unknown {
  const message = pick(e, 'error.message', 'event.error.message', 'errorMessage');
  const code = pick(e, 'error.code', 'event.error.code', 'errorCode');
  return message || code ? `${code ? `${text(code)}: ` : ''}${text(message)}` : undefined;
}

/** Redaction markers: a list the API gives, else the paths of "[REDACTED]" values in the event. */
function redactedOf(e: unknown): unknown {
  const given = pick(e, 'redacted', 'redactions', 'redactedFields');
  if (Array.isArray(given)) return given.join(', ');
  if (given !== undefined) return given;
  const paths: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (v === '[REDACTED]') paths.push(path);
    else if (v && typeof v === 'object') for (const [k, inner] of Object.entries(v)) walk(inner, path ? `${path}.${k}` : k);
  };
  walk(pick(e, 'event') ?? e, '');
  return paths.length ? paths.join(', ') : undefined;
}

/** A borderless, uncoloured table (aligned columns that grep and less handle well). */
function plainTable(head: string[]): Table.Table {
  return new Table({
    head,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
}

/** Rows under the columns' headers, cells formatted and cut for a terminal. */
export function renderTable(columns: readonly Column[], rows: Iterable<unknown>): string {
  const table = plainTable(columns.map((c) => c.header));
  for (const row of rows) {
    table.push(columns.map((c) => {
      const v = c.value(row);
      const shown = c.display ? c.display(v) : text(v);
      return c.max ? truncate(shown, c.max) : shown;
    }));
  }
  return stripTrailing(table.toString());
}

/** `key  value` lines, keys aligned. */
export function renderKeyValues(entries: [string, unknown][]): string {
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${text(v)}`).join('\n');
}

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Any JSON report (statistics) as text: scalars as `key  value`, an object of scalars as a
 * section of key/values, an object of objects or a list of objects as a table with the union of
 * their fields as columns. Works whatever fields the report grows.
 */
export function renderReport(report: unknown, title?: string): string {
  if (!isPlainObject(report)) return text(report);
  const blocks: string[] = [];
  const scalars = Object.entries(report).filter(([, v]) => isScalar(v));
  if (scalars.length) blocks.push(title ? `${title}\n${indent(renderKeyValues(scalars))}` : renderKeyValues(scalars));
  for (const [key, value] of Object.entries(report)) {
    if (isScalar(value) || value === undefined) continue;
    const heading = title ? `${title}.${key}` : key;
    if (Array.isArray(value)) {
      if (value.every(isPlainObject)) blocks.push(`${heading}\n${value.length ? renderObjectsTable(value as Record<string, unknown>[]) : '(none)'}`);
      else blocks.push(`${heading}  ${value.map(text).join(', ') || '(none)'}`);
    } else if (isPlainObject(value)) {
      const inner = Object.values(value);
      if (inner.length && inner.every(isPlainObject) && inner.every((o) => Object.values(o as object).every(isScalar))) {
        blocks.push(`${heading}\n${renderObjectsTable(Object.entries(value).map(([k, o]) => ({ '': k, ...(o as Record<string, unknown>) })))}`);
      } else if (inner.every(isScalar)) {
        blocks.push(`${heading}\n${indent(renderKeyValues(Object.entries(value)))}`);
      } else {
        blocks.push(renderReport(value, heading));
      }
    }
  }
  return blocks.join('\n\n');
}

function renderObjectsTable(rows: Record<string, unknown>[]): string {
  const keys: string[] = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!keys.includes(k)) keys.push(k);
  const columns: Column[] = keys.map((k) => ({ header: k.toUpperCase(), value: (r) => (r as Record<string, unknown>)[k], max: 60 }));
  return indent(renderTable(columns, rows));
}

const indent = (s: string) => s.split('\n').map((l) => `  ${l}`).join('\n');
const stripTrailing = (s: string) => s.split('\n').map((l) => l.trimEnd()).join('\n');
