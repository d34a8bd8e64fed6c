/**
 * Exit codes of `agent-ledger`: one per kind of outcome, so scripts can tell a failed verification
 * from a rejected key, an unreachable server or a typo in a flag.
 */
export enum ExitCode {
  Ok = 0,
  /** The record does not verify (or an offline input file was tampered with). */
  VerificationFailed = 1,
  /** Bad flags or arguments. */
  Usage = 2,
  /** The API answered with an error other than 401/403 (4xx, 5xx, unexpected body). */
  ApiError = 3,
  /** The API key was rejected (401) or lacks the scope (403). */
  AuthFailed = 4,
  /** The server could not be reached, did not answer in time, or dropped the connection. */
  Unreachable = 5,
  /** A local file could not be read or written. */
  LocalFile = 6,
  /** dist/ is missing (set by bin/agent-ledger.js before anything else runs). */
  NotBuilt = 7,
  /** verify: nothing failed, but rows are not covered by a signed checkpoint (or a checkpoint source could not be read). */
  Unverified = 8,
  /** A bug: an error nothing above explains. */
  Internal = 70,
  /** Interrupted by Ctrl-C (SIGINT). */
  Interrupted = 130,
}

/** An error the CLI reports as one line on stderr, exiting with its code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(ExitCode.Usage, message);
    this.name = 'UsageError';
  }
}

/** The server's error body: `{"error":{status,code,message,field?,errors?}}`. */
export interface ApiErrorBody {
  status: number;
  code: string;
  message: string;
  field?: string;
  errors?: { field: string; code: string; message: string }[];
  /** `before_retention_horizon` (409): the oldest instant still kept, and where the archives of what is older are. */
  horizon?: string;
  archives?: string[];
}

/** The code of the 409 an events query or export answers when it starts before the retention horizon. */
export const BEFORE_RETENTION_HORIZON = 'before_retention_horizon';

/** The audit API answered with an error status. */
export class ApiResponseError extends CliError {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
    readonly url: string,
    bodyText = '',
  ) {
    super(status === 401 || status === 403 ? ExitCode.AuthFailed : ExitCode.ApiError, describeApiError(status, body, bodyText));
    this.name = 'ApiResponseError';
  }
}

/** One line naming the code, message and field of an API error (and every field when several). */
export function describeApiError(status: number, body: ApiErrorBody | undefined, bodyText = ''): string {
  if (status === 401) {
    return `the API key was rejected (401${body ? ` ${body.code}: ${body.message}` : ''}): check --key or LEDGER_API_KEY`;
  }
  if (status === 403) {
    return `the API key is not allowed to do this (403${body ? ` ${body.code}: ${body.message}` : ''}): use a key with the scope the command needs (read)`;
  }
  if (!body) {
    const text = bodyText.replace(/\s+/g, ' ').trim().slice(0, 200);
    return `the audit API answered ${status} without an error body${text ? `: ${text}` : ''}`;
  }
  if (body.code === BEFORE_RETENTION_HORIZON) return describeBeforeHorizon(status, body);
  const fields = body.errors && body.errors.length > 1 ? body.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : undefined;
  const field = body.field ? ` (field: ${body.field})` : '';
  return `${body.code} (${status}): ${body.message}${field}${fields ? ` [${fields}]` : ''}`;
}

/** How many archive locations a one-line message names before it says "and N more". */
const ARCHIVES_SHOWN = 3;

/** `before_retention_horizon (409): <message> — the record is kept from <horizon> on: …; older events are in the archives a, b`. */
function describeBeforeHorizon(status: number, body: ApiErrorBody): string {
  const archives = body.archives;
  const shown = archives?.slice(0, ARCHIVES_SHOWN).join(', ');
  const more = archives && archives.length > ARCHIVES_SHOWN ? ` and ${archives.length - ARCHIVES_SHOWN} more` : '';
  const where = !archives ? '' : archives.length ? `; older events are in the archive${archives.length === 1 ? '' : 's'} ${shown}${more}` : '; older events were purged without an archive';
  const horizon = body.horizon ? ` — the record is kept from ${body.horizon} on: use --from ${body.horizon} or later` : '';
  return `${BEFORE_RETENTION_HORIZON} (${status}): ${body.message}${horizon}${where}`;
}

/** One archive named by the API: a location string, or `{location, object}` (joined unless the location already ends with the object). */
export function archiveLocation(a: unknown): string | undefined {
  if (typeof a === 'string') return a || undefined;
  if (!a || typeof a !== 'object') return undefined;
  const r = a as Record<string, unknown>;
  const location = [r.location, r.uri, r.url].find((v): v is string => typeof v === 'string' && v.length > 0);
  const object = [r.object, r.key].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (location && object) return location.endsWith(object) ? location : `${location.replace(/\/+$/, '')}/${object.replace(/^\/+/, '')}`;
  return location ?? object;
}

/** `horizon` and `archives` of a `before_retention_horizon` body: on the error, under its `details`, or beside it. */
function retentionFields(e: Record<string, unknown>, root: Record<string, unknown>): Pick<ApiErrorBody, 'horizon' | 'archives'> {
  const details = e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {};
  const horizon = [e.horizon, details.horizon, root.horizon].find((v): v is string => typeof v === 'string' && v.length > 0);
  const list = [e.archives, details.archives, root.archives].find(Array.isArray) as unknown[] | undefined;
  const archives = list?.map(archiveLocation).filter((v): v is string => v !== undefined);
  return { ...(horizon ? { horizon } : {}), ...(archives ? { archives } : {}) };
}

/** Reads `{"error":{…}}` out of a response body; undefined when the body is something else. */
export function parseApiErrorBody(text: string): ApiErrorBody | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.code !== 'string' || typeof e.message !== 'string') return undefined;
  return {
    status: typeof e.status === 'number' ? e.status : 0,
    code: e.code,
    message: e.message,
    ...(typeof e.field === 'string' ? { field: e.field } : {}),
    ...(Array.isArray(e.errors) ? { errors: e.errors as ApiErrorBody['errors'] } : {}),
    ...(e.code === BEFORE_RETENTION_HORIZON ? retentionFields(e, parsed as Record<string, unknown>) : {}),
  };
}

/** Error codes of Node's network stack and undici that mean "the server is not there". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** The network error code behind a failed fetch (walks `cause` and AggregateError members). */
export function networkErrorCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
  if ((err as { name?: unknown }).name === 'TimeoutError') return 'ETIMEDOUT';
  for (const inner of (err as { errors?: unknown[] }).errors ?? []) {
    const found = networkErrorCode(inner, depth + 1);
    if (found) return found;
  }
  return networkErrorCode((err as { cause?: unknown }).cause, depth + 1);
}

/** Maps what fetch threw to a CliError: the server is unreachable, or an internal error. */
export function fromFetchError(err: unknown, baseUrl: string, during: 'connect' | 'transfer' = 'connect'): CliError {
  if (err instanceof CliError) return err;
  const code = networkErrorCode(err);
  if (code || (err instanceof TypeError && /fetch failed|terminated/.test(err.message))) {
    const why = code ?? ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new CliError(ExitCode.Unreachable, `the audit API at ${baseUrl} did not answer in time (${code}): check --url or LEDGER_URL, or raise --timeout`);
    }
    if (during === 'transfer') return new CliError(ExitCode.Unreachable, `the connection to the audit API at ${baseUrl} was lost (${why})`);
    return new CliError(ExitCode.Unreachable, `cannot reach the audit API at ${baseUrl} (${why}): is it running? Check --url or LEDGER_URL`);
  }
  return new CliError(ExitCode.Internal, `unexpected error: ${(err as Error)?.message ?? String(err)}`);
}
