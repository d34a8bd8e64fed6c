import Ajv, { type ErrorObject, type Format, type SchemaObject } from 'ajv';
import addFormats from 'ajv-formats';
import { isIP } from 'node:net';
import { EARLIEST_INSTANT, isInstantInRange, LATEST_INSTANT } from './instant-range';
import { checkJsonText } from './json-text';
import { escapePointerToken, type FieldError, type ValidationResult } from './validation-result';

// Internal: the one Ajv instance and the mapping of its errors to FieldErrors. Not exported from
// the index; the validators built on it are.

/** Lowercase canonical UUID. Stricter than RFC 4122 on purpose: the eventId is an idempotency key
 * and PostgreSQL prints uuids in lowercase, so one id has exactly one spelling. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const FORMAT_DESCRIPTIONS: Record<string, string> = {
  uuid: 'a lowercase UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
  'date-time': 'an RFC 3339 date-time with a time zone, e.g. 2025-01-31T09:30:00Z',
  ip: 'an IPv4 or IPv6 address',
};

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const isRfc3339 = syncFormatValidator(addFormats.get('date-time'));
  ajv.addFormat('uuid', UUID);
  // RFC 3339 (ajv-formats, time zone required) that JavaScript can also parse: a leap second
  // (23:59:60) is valid RFC 3339 but `new Date()` turns it into Invalid Date downstream.
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => isRfc3339(s) && !Number.isNaN(Date.parse(s)) });
  ajv.addFormat('ip', { type: 'string', validate: (s: string) => isIP(s) !== 0 });
  // The instant a date-time names must lie within the ledger's range (see instant-range.ts). A string
  // that does not parse is left to `format`.
  ajv.addKeyword({
    keyword: INSTANT_RANGE_KEYWORD,
    type: 'string',
    schemaType: 'array',
    validate: (_bounds: unknown, data: string) => {
      const ms = Date.parse(data);
      return Number.isNaN(ms) || isInstantInRange(ms);
    },
  });
  return ajv;
}

function syncFormatValidator(format: Format): (s: string) => boolean {
  const f = typeof format === 'object' && !(format instanceof RegExp) ? format.validate : format;
  if (typeof f === 'function') return (s) => (f as (s: string) => boolean)(s) === true;
  if (f instanceof RegExp) return (s) => f.test(s);
  if (typeof f === 'string') return (s) => new RegExp(f).test(s);
  throw new Error('unsupported format validator');
}

/** Schema keyword of date-time strings: the instant must lie in `[EARLIEST_INSTANT, LATEST_INSTANT]`. */
export const INSTANT_RANGE_KEYWORD = 'x-instant-range';

const ajv = createAjv();

export interface ValidatorOptions {
  /** What the whole value is called in messages, e.g. `event`. */
  rootName: string;
  /** Messages for `false` schemas (properties the sender must not set), by pointer. */
  forbidden?: Record<string, string>;
  /** Human descriptions of `pattern`s, by pattern source. */
  patterns?: Record<string, string>;
  /**
   * Checks JSON Schema cannot express, run after the schema (also when it failed). `sourceBytes`: the
   * length of the JSON text the value was parsed from, when the caller knows it.
   */
  check?: (value: Record<string, unknown>, sourceBytes?: number) => FieldError[];
}

/**
 * Compiles `schema` once and returns a validator that reports every invalid field. Every validator
 * applies the text rules first ({@link checkJsonText}: no NUL or lone surrogates, bounded depth,
 * finite numbers), without recursion; the schema's free-form objects are not descended by Ajv, and
 * `check` is skipped when the value nests too deep (it may serialize the value).
 */
export function compileValidator<T>(schema: SchemaObject, options: ValidatorOptions): (value: unknown, sourceBytes?: number) => ValidationResult<T> {
  const validate = ajv.compile(schema);
  return (value: unknown, sourceBytes?: number) => {
    const textErrors = checkJsonText(value, { name: (pointer) => fieldName(pointer, options) });
    validate(value);
    const errors = toFieldErrors(validate.errors ?? [], value, options);
    errors.push(...textErrors);
    if (options.check && isPlainObject(value) && !textErrors.some((e) => e.code === 'depth')) errors.push(...options.check(value, sourceBytes));
    const unique = dedupe(errors);
    if (unique.length) return { ok: false, errors: unique };
    return { ok: true, value: value as T };
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toFieldErrors(errors: ErrorObject[], root: unknown, options: ValidatorOptions): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const fieldError = toFieldError(e, root, options);
    if (fieldError) out.push(fieldError);
  }
  return out;
}

function toFieldError(e: ErrorObject, root: unknown, options: ValidatorOptions): FieldError | null {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
      // "must match then schema": the failing keyword inside `then` is reported on its own.
      return null;
    case 'required': {
      const pointer = `${e.instancePath}/${escapePointerToken(String(params.missingProperty))}`;
      const rootType = isPlainObject(root) && typeof root.type === 'string' ? root.type : undefined;
      const when = e.schemaPath.includes('/then/') && rootType ? ` when type is "${rootType}"` : '';
      return { pointer, code: 'required', message: `${fieldName(pointer, options)} is required${when}` };
    }
    case 'additionalProperties': {
      const pointer = `${e.instancePath}/${escapePointerToken(String(params.additionalProperty))}`;
      return { pointer, code: 'additionalProperties', message: `${fieldName(pointer, options)} is not a known property` };
    }
    case INSTANT_RANGE_KEYWORD:
      return { pointer: e.instancePath, code: 'range', message: `${fieldName(e.instancePath, options)} must be between ${EARLIEST_INSTANT} and ${LATEST_INSTANT}` };
    case 'false schema': {
      const pointer = e.instancePath;
      const message = options.forbidden?.[pointer] ?? `${fieldName(pointer, options)} must not be set`;
      return { pointer, code: 'forbidden', message };
    }
    default:
      return { pointer: e.instancePath, code: e.keyword, message: `${fieldName(e.instancePath, options)} ${describe(e, params, options)}` };
  }
}

function describe(e: ErrorObject, params: Record<string, unknown>, options: ValidatorOptions): string {
  switch (e.keyword) {
    case 'type': {
      const type = String(params.type);
      return `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
    }
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'format':
      return `must be ${FORMAT_DESCRIPTIONS[String(params.format)] ?? `in format ${String(params.format)}`}`;
    case 'pattern':
      return `must be ${options.patterns?.[String(params.pattern)] ?? `a string matching ${String(params.pattern)}`}`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`;
    case 'maxItems':
      return `must have at most ${String(params.limit)} items`;
    case 'minItems':
      return `must have at least ${String(params.limit)} items`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(params.comparison)} ${String(params.limit)}`;
    default:
      return e.message ?? 'is invalid';
  }
}

/** The field a pointer names, for messages: `tool.riskLevel`, `triggeringEventIds[2]`, or the root name. */
export function fieldName(pointer: string, options: { rootName: string }): string {
  if (!pointer) return options.rootName;
  const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let name = '';
  for (const token of tokens) {
    if (/^(0|[1-9]\d*)$/.test(token)) name = `${name || options.rootName}[${token}]`;
    else name = name ? `${name}.${token}` : token;
  }
  return name;
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.pointer}\u0000${e.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Deep-freezes a schema so the exported object cannot drift from the compiled validator. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
