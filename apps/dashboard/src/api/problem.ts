import { archiveWhere } from './retention';

/** One invalid field of a request, as the API names it. */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/**
 * An error the API answered with (`{"error":{status,code,message,field,errors}}`), or a request
 * that never got an answer (status 0, `network_error`).
 */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  readonly errors: FieldProblem[];
  /** 409 `before_retention_horizon`: the oldest instant still kept, and the archives of what is older (location/object). */
  readonly horizon?: string;
  readonly archives?: string[];

  constructor(p: { status: number; code: string; message: string; field?: string; errors?: FieldProblem[]; horizon?: string; archives?: string[] }) {
    super(p.message);
    this.name = 'ApiProblem';
    this.status = p.status;
    this.code = p.code;
    this.field = p.field;
    this.errors = p.errors ?? [];
    this.horizon = p.horizon;
    this.archives = p.archives;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The problem of a non-2xx answer: the API's error body when there is one, else the HTTP status. */
export function problemFromAnswer(status: number, statusText: string, text: string): ApiProblem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const e = isRecord(parsed) ? parsed.error : undefined;
  if (isRecord(e) && typeof e.message === 'string') {
    return new ApiProblem({
      status: typeof e.status === 'number' ? e.status : status,
      code: typeof e.code === 'string' ? e.code : `http_${status}`,
      message: e.message,
      field: typeof e.field === 'string' ? e.field : undefined,
      errors: Array.isArray(e.errors)
        ? e.errors.filter(isRecord).map((x) => ({ field: String(x.field ?? ''), code: String(x.code ?? ''), message: String(x.message ?? '') }))
        : undefined,
      horizon: typeof e.horizon === 'string' ? e.horizon : undefined,
      archives: Array.isArray(e.archives) ? e.archives.map(archiveWhere).filter((a): a is string => a !== undefined) : undefined,
    });
  }
  const plain = text.trim();
  const readable = plain && plain.length <= 300 && !plain.startsWith('<') && !plain.startsWith('{');
  return new ApiProblem({ status, code: `http_${status}`, message: readable ? plain : `the server answered ${status}${statusText ? ` ${statusText}` : ''}` });
}

export function networkProblem(err: unknown): ApiProblem {
  const detail = err instanceof Error && err.message ? ` (${err.message})` : '';
  return new ApiProblem({ status: 0, code: 'network_error', message: `audit-api could not be reached${detail}` });
}

/** Anything thrown, as a problem to show. */
export function toProblem(err: unknown): ApiProblem {
  if (err instanceof ApiProblem) return err;
  if (err instanceof Error) return new ApiProblem({ status: 0, code: 'client_error', message: err.message || err.name });
  return new ApiProblem({ status: 0, code: 'client_error', message: String(err) });
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException ? err.name === 'AbortError' : err instanceof Error && err.name === 'AbortError';
}

/** What a person should do about a problem, beyond the API's own message. */
export function adviceFor(p: ApiProblem): string | undefined {
  switch (p.status) {
    case 0:
      return p.code === 'network_error' ? 'Check that audit-api is running and reachable, then try again.' : undefined;
    case 401:
      return 'The API key was refused: it is unknown or has been revoked. Sign out and sign in with a valid key.';
    case 403:
      return p.code === 'insufficient_scope' ? 'This key may not do that: sign in with a key that has the needed scope (admin to change escalations).' : undefined;
    case 404:
      return p.code === 'not_found' ? 'This audit-api does not offer that endpoint (yet).' : undefined;
    case 409:
      return p.code === 'before_retention_horizon' ? 'Start the range on or after the retention horizon; older events can be read from their archives (docs/retention.md).' : undefined;
    case 429:
    case 502:
    case 503:
    case 504:
      return 'The service is busy or unavailable right now; try again shortly.';
    default:
      return p.status >= 500 ? 'The server failed to answer; try again, and check its logs if it persists.' : undefined;
  }
}
