import { text } from './format';

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break; a cell that a
 * spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) is prefixed
 * with an apostrophe so it is shown as text.
 */
export function csvCell(value: unknown): string {
  let s = value === undefined || value === null ? '' : typeof value === 'string' ? value : text(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header and rows as CSV text with CRLF line ends (RFC 4180). */
export function toCsv(columns: readonly { header: string; value: (row: unknown) => unknown }[], rows: Iterable<unknown>): string {
  let out = columns.map((c) => csvCell(c.header)).join(',') + '\r\n';
  for (const row of rows) out += csvRow(columns, row);
  return out;
}

export function csvHeader(columns: readonly { header: string }[]): string {
  return columns.map((c) => csvCell(c.header)).join(',') + '\r\n';
}

export function csvRow(columns: readonly { value: (row: unknown) => unknown }[], row: unknown): string {
  return columns.map((c) => csvCell(c.value(row))).join(',') + '\r\n';
}
