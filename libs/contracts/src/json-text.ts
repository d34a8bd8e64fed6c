import { escapePointerToken, type FieldError } from './validation-result';

/**
 * The intake rules every JSON value entering the ledger obeys, whatever the way in (ingest, the
 * SDK's Kafka producer, audit-api bodies, query strings and path parameters):
 * - strings and object keys hold no NUL (U+0000) and no lone UTF-16 surrogate — PostgreSQL's text
 *   and JSONB cannot store them, and UTF-8 cannot encode a lone surrogate;
 * - objects and arrays nest at most {@link MAX_JSON_DEPTH} levels.
 * Such values are refused with the field named, never stored altered.
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

/**
 * Walks a JSON value without recursion (a hostile value cannot exhaust the stack) and reports the
 * first problems: unsafe text in a string or a key, and nesting deeper than `maxDepth`. Pointers are
 * relative to `value` (prefix them with `prefixPointer`). Stops after `limit` errors.
 */
export function checkJsonText(value: unknown, opts: { maxDepth?: number; limit?: number } = {}): FieldError[] {
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  const limit = opts.limit ?? 20;
  const errors: FieldError[] = [];
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length && errors.length < limit) {
    const [v, pointer, depth] = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unsafeTextReason(v);
      if (reason) errors.push({ pointer, code: 'text', message: `${pointer || 'the value'} ${reason}` });
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > maxDepth) {
      errors.push({ pointer, code: 'depth', message: `${pointer || 'the value'} nests deeper than ${maxDepth} levels of objects and arrays` });
      continue;
    }
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i];
      const childPointer = `${pointer}/${escapePointerToken(k)}`;
      const keyReason = Array.isArray(v) ? undefined : unsafeTextReason(k);
      if (keyReason) {
        errors.push({ pointer: childPointer, code: 'text', message: `a key in ${pointer || 'the value'} ${keyReason}` });
        if (errors.length >= limit) break;
        continue;
      }
      stack.push([child, childPointer, depth + 1]);
    }
  }
  return errors;
}
