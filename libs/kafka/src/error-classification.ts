/**
 * How a consumer treats an error thrown while applying messages:
 * - `transient`: a dependency is unavailable (database, broker, Redis, a timeout). Retry the same
 *   messages with backoff; nothing is skipped.
 * - `data`: the messages themselves cannot be applied (PostgreSQL classes 22 and 54, 23 except
 *   unique violations, "invalid byte sequence", JSON and validation errors, {@link DataError}).
 *   The batch is bisected until the bad message is alone, which is dead-lettered.
 * - `membership`: the consumer lost its place in the group (unknown member, illegal generation,
 *   rebalance in progress). The batch is abandoned uncommitted and the consumer rejoins.
 * - `unknown`: anything else. Retried like a transient error; a message that keeps failing alone
 *   after a bounded number of attempts is dead-lettered.
 */
export type ErrorClass = 'transient' | 'data' | 'membership' | 'unknown';

/** Thrown by a handler when a message can never be applied; `code` becomes the dead letter's code. */
export class DataError extends Error {
  readonly errorClass = 'data' as const;
  constructor(message: string, readonly code = 'data_error') {
    super(message);
    this.name = 'DataError';
  }
}

/** Thrown by a handler for a failure that must be retried without skipping anything. */
export class TransientError extends Error {
  readonly errorClass = 'transient' as const;
  constructor(message: string) {
    super(message);
    this.name = 'TransientError';
  }
}

const MEMBERSHIP_TYPES = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'FENCED_INSTANCE_ID']);
const MEMBERSHIP_TEXT = /coordinator is not aware of this member|specified group generation id is not valid|group is rebalancing/i;

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'EADDRNOTAVAIL',
]);
const TRANSIENT_TEXT =
  /connection (terminated|refused|reset|is closed|ended)|timeout|timed out|not connected|closed|ECONNREFUSED|ECONNRESET|socket hang up|the database system is (starting up|shutting down|in recovery)|too many clients|MaxRetriesPerRequest|Stream isn't writeable|getaddrinfo|broker not available|leader not available|not leader|KafkaJSNumberOfRetriesExceeded/i;
const DATA_TEXT = /invalid byte sequence|unsupported Unicode escape sequence|invalid input syntax|out of range|value too long|JSON|malformed|untranslatable character/i;

/**
 * The SQLSTATE class (first two characters) decides for PostgreSQL errors: 08 connection, 53
 * resources, 57 operator intervention (shutdown, cancel), 40001/40P01 serialization and deadlock,
 * 55 lock not available, 25 transaction state, 42/XX/58/F0 (a missing table is a deployment
 * problem, not a bad message) are transient; 22 data exception, 54 limits, 23 integrity (except
 * 23505 unique violation, which a concurrent writer can cause) are data.
 */
function classifySqlState(code: string): ErrorClass | undefined {
  if (!/^[0-9A-Z]{5}$/.test(code)) return undefined;
  if (code === '40001' || code === '40P01' || code === '23505') return code === '23505' ? 'unknown' : 'transient';
  switch (code.slice(0, 2)) {
    case '08':
    case '53':
    case '57':
    case '55':
    case '25':
    case '42':
    case 'XX':
    case '58':
    case 'F0':
    case 'HV':
      return 'transient';
    case '22':
    case '54':
    case '23':
      return 'data';
    default:
      return 'unknown';
  }
}

interface ErrorLike {
  name?: string;
  message?: string;
  code?: unknown;
  type?: unknown;
  errorClass?: unknown;
  retriable?: unknown;
  driverError?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and those it wraps (`cause`, `driverError`, kafkajs's `originalError` and `errors`), outermost first. */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [err];
  while (queue.length && out.length < 20) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || out.includes(e as ErrorLike)) continue;
    const x = e as ErrorLike & { errors?: unknown };
    out.push(x);
    queue.push(x.driverError, x.cause, x.originalError, ...(Array.isArray(x.errors) ? x.errors : []));
  }
  return out;
}

/** Classifies an error by what it is or wraps; membership wins, then the outermost recognised class. */
export function classifyError(err: unknown): ErrorClass {
  const errors = chain(err);
  for (const x of errors) {
    if ((typeof x.type === 'string' && MEMBERSHIP_TYPES.has(x.type)) || MEMBERSHIP_TEXT.test(x.message ?? '')) return 'membership';
  }
  let fallback: ErrorClass = 'unknown';
  for (const x of errors) {
    if (x.errorClass === 'data' || x.errorClass === 'transient') return x.errorClass;
    if (typeof x.code === 'string') {
      if (NETWORK_CODES.has(x.code)) return 'transient';
      const pg = classifySqlState(x.code);
      if (pg && pg !== 'unknown') return pg;
    }
    if (x.name === 'SyntaxError') return 'data';
    if (typeof x.name === 'string' && x.name.startsWith('KafkaJS')) return 'transient';
    if (x.name === 'CannotExecuteNotConnectedError' || x.name === 'ConnectionIsNotSetError') return 'transient';
    const text = x.message ?? '';
    if (fallback === 'unknown' && DATA_TEXT.test(text)) fallback = 'data';
    else if (fallback === 'unknown' && TRANSIENT_TEXT.test(text)) fallback = 'transient';
  }
  return fallback;
}

/** The short code a dead letter carries for an error: the handler's DataError code, else the SQLSTATE, else the class. */
export function errorCode(err: unknown, cls: ErrorClass): string {
  if (err instanceof DataError) return err.code;
  const x = err as ErrorLike | undefined;
  const sqlState = [x?.code, (x?.driverError as ErrorLike | undefined)?.code].find((c) => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c));
  if (sqlState) return `sqlstate_${String(sqlState).toLowerCase()}`;
  if (x?.name === 'SyntaxError') return 'invalid_json';
  return cls === 'data' ? 'data_error' : 'repeated_failure';
}

/** An error's message without a stack, bounded; PostgreSQL's error messages carry no parameters. */
export function errorReason(err: unknown, max = 1_800): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.slice(0, max);
}
