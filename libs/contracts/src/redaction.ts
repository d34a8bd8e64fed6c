import type { ActionEventInput } from './action-event';
import { escapePointerToken } from './validation-result';

/** What a redacted value or card number is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Key patterns redacted by default. A key matches when, lowercased and with separators removed
 * (anything but letters and digits: `-`, `_`, `.`, spaces…), it contains a pattern normalized the
 * same way: `X-Api-Key`, `client_secret`, `refreshToken` and `DB.PASSWORD` all match.
 *
 * Substring matching errs on the side of hiding: `max_tokens` or `prompt_tokens` also match `token`.
 */
export const DEFAULT_REDACTION_PATTERNS = [
  'password',
  'passwd',
  'secret',
  'token',
  'authorization',
  'api_key',
  'apikey',
  'cookie',
  'set-cookie',
  'private_key',
  'client_secret',
] as const;

export interface RedactionResult<T> {
  value: T;
  /** JSON pointers (relative to the value) of what was redacted, in document order. */
  redactedPaths: string[];
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

function keyMatcher(extraPatterns: readonly string[]): (key: string) => boolean {
  const patterns = [...DEFAULT_REDACTION_PATTERNS, ...extraPatterns].map(normalizeKey).filter((p) => p.length > 0);
  const extra = extraPatterns.map(normalizeKey).filter((p) => p.length > 0);
  return (key) => {
    const normalized = normalizeKey(key);
    // Usage counters of language models (`max_tokens`, `prompt_tokens`, `totalTokens`) are not
    // credentials: a key ending in the plural "tokens" is kept unless a tenant pattern names it.
    if (normalized.endsWith('tokens') && !extra.some((p) => normalized.includes(p))) return false;
    return patterns.some((p) => normalized.includes(p));
  };
}

/** Luhn (mod 10) check of a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Runs of digit groups separated by single spaces or dashes. */
const DIGIT_RUN = /\d+(?:[ -]\d+)*/g;

/**
 * Replaces card-like numbers in a string: 13–19 digits, optionally separated by single spaces or
 * dashes, that pass the Luhn check. Inside a longer run of groups ("ref 12 4111 1111 1111 1111")
 * the card is looked for on group boundaries, leftmost and longest first; a single unbroken run of
 * more than 19 digits is not a card.
 */
export function redactCardNumbers(text: string): { text: string; redacted: boolean } {
  let redacted = false;
  const out = text.replace(DIGIT_RUN, (run) => {
    const groups: { start: number; end: number; digits: string }[] = [];
    const groupRe = /\d+/g;
    for (let m = groupRe.exec(run); m; m = groupRe.exec(run)) groups.push({ start: m.index, end: m.index + m[0].length, digits: m[0] });
    let result = '';
    let cursor = 0;
    let i = 0;
    while (i < groups.length) {
      let match = -1;
      let digits = '';
      for (let j = i; j < groups.length; j++) {
        digits += groups[j].digits;
        if (digits.length > 19) break;
        if (digits.length >= 13 && passesLuhn(digits)) match = j;
      }
      if (match < 0) {
        i++;
        continue;
      }
      result += run.slice(cursor, groups[i].start) + REDACTED;
      cursor = groups[match].end;
      redacted = true;
      i = match + 1;
    }
    return result + run.slice(cursor);
  });
  return { text: out, redacted };
}

/**
 * Returns a deep copy of `value` (JSON data) in which:
 * - the value of every object key matching the default or `extraPatterns` (see
 *   {@link DEFAULT_REDACTION_PATTERNS}) is replaced by `"[REDACTED]"`, whatever its type;
 * - card-like numbers inside string values are replaced by `[REDACTED]` (see {@link redactCardNumbers}).
 *
 * Numbers are not scanned for card numbers (epoch-millisecond timestamps would often match).
 * `value` is never mutated. Throws a `TypeError` on circular structures.
 */
export function redactSecrets<T>(value: T, extraPatterns: readonly string[] = []): RedactionResult<T> {
  const redactedPaths: string[] = [];
  const isSecretKey = keyMatcher(extraPatterns);
  const ancestors = new Set<object>();

  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      const { text, redacted } = redactCardNumbers(node);
      if (redacted) redactedPaths.push(path);
      return text;
    }
    if (typeof node !== 'object' || node === null) return node;
    if (!Array.isArray(node) && !isPlainRecord(node)) return node;
    if (ancestors.has(node)) throw new TypeError(`redactSecrets: circular structure at ${path || '/'}`);
    ancestors.add(node);
    try {
      if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}/${i}`));
      const copy: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        const childPath = `${path}/${escapePointerToken(key)}`;
        let next: unknown;
        if (child !== undefined && isSecretKey(key)) {
          redactedPaths.push(childPath);
          next = REDACTED;
        } else {
          next = walk(child, childPath);
        }
        setOwn(copy, key, next);
      }
      return copy;
    } finally {
      ancestors.delete(node);
    }
  };

  return { value: walk(value, '') as T, redactedPaths };
}

export interface RedactedEvent<T> {
  event: T;
  /** JSON pointers (relative to the event) of what was redacted, e.g. `/input/card/number`. */
  redactedPaths: string[];
}

/**
 * Redacts an action event (input or stored form) before it leaves the ingest service: secrets and
 * card numbers in `input`, `output`, `metadata`, `error.details` and `changes.before` / `after`,
 * and card numbers in `error.message` and `message.content`. Identity fields (`actor`, `agent`, `subject`, …) are left
 * alone. Returns a deep copy; `event` is never mutated.
 */
export function redactEvent<T extends ActionEventInput>(event: T, extraPatterns: readonly string[] = []): RedactedEvent<T> {
  // The subtrees redactSecrets walks are copied by it; everything else is deep-copied here once.
  const out = deepCopy(event, new Set(), REDACTED_SUBTREES) as ActionEventInput;
  const redactedPaths: string[] = [];
  const redact = <V>(value: V, path: string): V => {
    const result = redactSecrets(value, extraPatterns);
    redactedPaths.push(...result.redactedPaths.map((p) => `${path}${p}`));
    return result.value;
  };

  if (out.input !== undefined) out.input = redact(out.input, '/input');
  if (out.output !== undefined) out.output = redact(out.output, '/output');
  if (out.error) {
    if (typeof out.error.message === 'string') {
      const { text, redacted } = redactCardNumbers(out.error.message);
      if (redacted) redactedPaths.push('/error/message');
      out.error.message = text;
    }
    if (out.error.details !== undefined) out.error.details = redact(out.error.details, '/error/details');
  }
  if (out.changes) {
    if (out.changes.before !== undefined) out.changes.before = redact(out.changes.before, '/changes/before');
    if (out.changes.after !== undefined) out.changes.after = redact(out.changes.after, '/changes/after');
  }
  if (out.metadata !== undefined) out.metadata = redact(out.metadata, '/metadata');
  if (typeof out.message?.content === 'string') {
    const { text, redacted } = redactCardNumbers(out.message.content);
    if (redacted) redactedPaths.push('/message/content');
    out.message.content = text;
  }
  return { event: out as T, redactedPaths };
}

function isPlainRecord(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Assigns an own enumerable property, including one named `__proto__` (which `=` would not create). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Where redactEvent replaces a whole subtree by redactSecrets' copy of it: by key, then the nested key (`true`: the field itself). */
const REDACTED_SUBTREES: CopySkips = { input: true, output: true, metadata: true, error: { details: true }, changes: { before: true, after: true } };

/** Fields whose values a deep copy keeps by reference (they are replaced right after): by key, nested. */
type CopySkips = { [key: string]: true | CopySkips };

/** Deep copy of JSON data (plain objects and arrays; anything else is kept by reference), except the fields `skip` names. */
function deepCopy<T>(value: T, ancestors = new Set<object>(), skip?: CopySkips): T {
  if (typeof value !== 'object' || value === null) return value;
  if (!Array.isArray(value) && !isPlainRecord(value)) return value;
  if (ancestors.has(value)) throw new TypeError('redactEvent: circular structure');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => deepCopy(item, ancestors)) as T;
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const skipped = skip && Object.hasOwn(skip, key) ? skip[key] : undefined;
      setOwn(copy, key, skipped === true ? child : deepCopy(child, ancestors, skipped));
    }
    return copy as T;
  } finally {
    ancestors.delete(value);
  }
}
