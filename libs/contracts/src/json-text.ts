import { escapePointerToken, type FieldError } from './validation-result';

/**
 * The intake rules every JSON value entering the ledger obeys, whatever the way in (ingest, the
 * SDK's Kafka producer, audit-api bodies, query strings and path parameters):
 * - strings and object keys hold no NUL (U+0000) and no lone UTF-16 surrogate — PostgreSQL's text
 *   and JSONB cannot store them, and UTF-8 cannot encode a lone surrogate;
 * - objects and arrays nest at most {@link MAX_JSON_DEPTH} levels (the value itself is level 1);
 * - numbers are finite: `JSON.parse` turns a literal beyond ±1.8e308 (`1e400`) into Infinity, which
 *   JSON cannot carry on (it would be re-serialized as `null`).
 * Such values are refused with the field named, never stored altered. See docs/intake-contract.md.
 */
export const MAX_JSON_DEPTH = 64;

/** NUL, or a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` cannot be stored as text, or undefined when it can. */
export function unsafeTextReason(s: string): string | undefined {
  const m = UNSAFE_TEXT.exec(s);
  if (!m) return undefined;
  return m[0] === '\u0000' ? 'must not contain the NUL character (U+0000)' : 'must not contain a lone UTF-16 surrogate (not valid Unicode)';
}

export interface JsonTextOptions {
  /** Deepest nesting of objects and arrays allowed; default {@link MAX_JSON_DEPTH}. */
  maxDepth?: number;
  /** Stop after this many errors; default 20. */
  limit?: number;
  /** How a pointer is named in messages (e.g. `input.a.b`); default the pointer itself. */
  name?: (pointer: string) => string;
}

/**
 * Walks a JSON value without recursion (a hostile value cannot exhaust the stack) and reports the
 * first problems: unsafe text in a string or a key (code `text`), nesting deeper than `maxDepth`
 * (code `depth`, on each container just past the limit; what it holds is not walked), and non-finite numbers
 * (code `finite`). Pointers are relative to `value` (prefix them with `prefixPointer`). Stops after
 * `limit` errors.
 */
export function checkJsonText(value: unknown, opts: JsonTextOptions = {}): FieldError[] {
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  const limit = opts.limit ?? 20;
  const name = (pointer: string) => (opts.name ? opts.name(pointer) : pointer || 'the value');
  const errors: FieldError[] = [];
  // A pointer is spelled only for a field that is reported: each entry names its parent and its key.
  const stack: Walked[] = [{ value, parent: undefined, key: '', depth: 0 }];
  while (stack.length && errors.length < limit) {
    const entry = stack.pop()!;
    const v = entry.value;
    if (typeof v === 'string') {
      const reason = unsafeTextReason(v);
      if (reason) {
        const pointer = pointerOf(entry);
        errors.push({ pointer, code: 'text', message: `${name(pointer)} ${reason}` });
      }
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        const pointer = pointerOf(entry);
        errors.push({ pointer, code: 'finite', message: `${name(pointer)} must be a finite number (JSON numbers are at most ±1.8e308)` });
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const depth = entry.depth;
    if (depth + 1 > maxDepth) {
      const pointer = pointerOf(entry);
      errors.push({ pointer, code: 'depth', message: `${name(pointer)} nests deeper than ${maxDepth} levels of objects and arrays` });
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], parent: entry, key: i, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      const keyReason = unsafeTextReason(k);
      if (keyReason) {
        const pointer = pointerOf(entry);
        errors.push({ pointer: `${pointer}/${escapePointerToken(k)}`, code: 'text', message: `a key in ${name(pointer)} ${keyReason}` });
        if (errors.length >= limit) break;
        continue;
      }
      stack.push({ value: (v as Record<string, unknown>)[k], parent: entry, key: k, depth: depth + 1 });
    }
  }
  return errors;
}

/** A value met by {@link checkJsonText}'s walk: where it sits (its parent and its key or index). */
interface Walked {
  value: unknown;
  parent: Walked | undefined;
  key: string | number;
  depth: number;
}

function pointerOf(entry: Walked): string {
  let pointer = '';
  for (let e: Walked | undefined = entry; e?.parent; e = e.parent) pointer = `/${typeof e.key === 'number' ? e.key : escapePointerToken(e.key)}${pointer}`;
  return pointer;
}
