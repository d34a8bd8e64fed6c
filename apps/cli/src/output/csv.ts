import { stringify, type Options } from 'csv-stringify/sync';
import { text } from './format';

/**
 * CSV as RFC 4180 with CRLF line ends, written by csv-stringify: a cell is quoted when it holds a
 * comma, a quote or any line break (CR or LF alone too); a cell a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or carriage return) gets an apostrophe in front so it shows as text.
 */
const CSV_OPTIONS: Options = { record_delimiter: 'windows', escape_formulas: true, quoted_match: /[\r\n]/ };

type Column = { header: string; value: (row: unknown) => unknown };

function cellText(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : text(value);
}

function line(cells: unknown[]): string {
  return stringify([cells.map(cellText)], CSV_OPTIONS);
}

/** One CSV cell, quoted and formula-safe as in a row. */
export function csvCell(value: unknown): string {
  return line([value]).slice(0, -2);
}

/** Header and rows as CSV text. */
export function toCsv(columns: readonly Column[], rows: Iterable<unknown>): string {
  let out = csvHeader(columns);
  for (const row of rows) out += csvRow(columns, row);
  return out;
}

export function csvHeader(columns: readonly { header: string }[]): string {
  return line(columns.map((c) => c.header));
}

export function csvRow(columns: readonly { value: (row: unknown) => unknown }[], row: unknown): string {
  return line(columns.map((c) => c.value(row)));
}
