/**
 * How errors reach a log line: by allow-list. An error's own properties can carry the values of a
 * request, an event or a row — TypeORM's QueryFailedError holds the statement's `parameters` and the
 * `driverError`; PostgreSQL's `detail` echoes them ("Key (email)=(ann@example.com) already exists");
 * mail and HTTP client errors hold recipients and bodies — so only the properties below are written;
 * the names of the others are listed under `omitted`. Messages that quote a value are censored too:
 * PostgreSQL data exceptions (SQLSTATE class 22: `invalid input syntax for type uuid: "…"`) and
 * JSON.parse errors (`"…" is not valid JSON`), in the message and in the stack.
 */

/** Properties that describe an error without carrying data: kept as they are (primitives only). */
const SAFE_FIELDS = [
  'name', 'code', 'errno', 'syscall', 'address', 'port', 'hostname', 'severity', 'routine',
  'schema', 'table', 'column', 'dataType', 'constraint', 'status', 'statusCode', 'retriable',
  'retryCount', 'retryTime', 'broker', 'groupId', 'topic', 'partition', 'helpUrl', 'lookup',
] as const;

/** Properties shown in part: the statement text, with its literals censored and its length bounded. */
const QUERY_FIELD = 'query';
const MAX_QUERY_CHARS = 1_000;
const MAX_DEPTH = 5;
const CENSORED = '[REDACTED]';

/** A serialized error as it appears in a log line. */
export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  query?: string;
  cause?: LoggedError | string;
  errors?: (LoggedError | string)[];
  omitted?: string[];
  [field: string]: unknown;
}

function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || (typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' && typeof (value as Error).stack === 'string');
}

/** PostgreSQL data exceptions (class 22) quote the refused value in their message. */
function quotesValues(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return true;
  return err instanceof SyntaxError && /is not valid JSON/.test(err.message);
}

function censorMessage(message: string): string {
  return message.replace(/"(?:[^"\\]|\\.)*"(?:\.\.\.)?/g, `"${CENSORED}"`);
}

/** The statement text without its literals ('…', E'…', $$…$$) and bounded in length. */
export function censorQuery(query: string): string {
  const censored = query
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, `'${CENSORED}'`)
    .replace(/[Ee]?'(?:[^']|'')*'/g, `'${CENSORED}'`);
  return censored.length > MAX_QUERY_CHARS ? `${censored.slice(0, MAX_QUERY_CHARS)}…` : censored;
}

/** Serializes an error for the log without the data it may carry; anything else passes through. */
export function serializeError(value: unknown, depth = 0): unknown {
  if (!isErrorLike(value)) return value;
  const err = value as Error & Record<string, unknown>;
  const censor = quotesValues(err);
  const message = censor ? censorMessage(err.message) : err.message;
  const type = typeof err.constructor === 'function' && err.constructor !== Object ? err.constructor.name : String(err.name ?? 'Error');
  const out: LoggedError = { type, message };
  if (typeof err.stack === 'string') out.stack = censor ? err.stack.split(err.message).join(message) : err.stack;

  for (const field of SAFE_FIELDS) {
    const v = err[field];
    if (v !== undefined && v !== null && ['string', 'number', 'boolean'].includes(typeof v)) out[field] = v;
  }
  // The error's own kind (body parser: `entity.parse.failed`; Kafka: `UNKNOWN_MEMBER_ID`).
  if (typeof err.type === 'string') out.kind = err.type;
  if (typeof err[QUERY_FIELD] === 'string') out.query = censorQuery(err[QUERY_FIELD] as string);

  const nested = (v: unknown) => (depth >= MAX_DEPTH ? String((v as Error).message ?? v) : (serializeError(v, depth + 1) as LoggedError));
  if (isErrorLike(err.cause)) out.cause = nested(err.cause);
  if (Array.isArray(err.errors)) out.errors = err.errors.filter(isErrorLike).slice(0, 10).map(nested);

  const shown = new Set<string>(['message', 'stack', 'cause', 'errors', 'type', QUERY_FIELD, ...SAFE_FIELDS]);
  const omitted = Object.keys(err).filter((k) => !shown.has(k));
  if (omitted.length) out.omitted = omitted;
  return out;
}

/** pino serializers: every key an error is logged under. */
export const LOG_SERIALIZERS = {
  err: (value: unknown) => serializeError(value),
  error: (value: unknown) => serializeError(value),
  cause: (value: unknown) => serializeError(value),
};
