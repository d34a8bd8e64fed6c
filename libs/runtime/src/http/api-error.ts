/**
 * The one error shape every HTTP endpoint answers with:
 * `{"error":{"status","code","message","field"?,"errors"?}}`.
 * `field` is a JSON pointer into the request body (or a query/path parameter name); `errors` lists
 * every invalid field when there is more than one.
 */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export interface ErrorBody {
  error: {
    status: number;
    code: string;
    message: string;
    field?: string;
    errors?: FieldProblem[];
  };
}

/** A coded error an endpoint throws on purpose; the HTTP filter turns it into an ErrorBody. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly errors?: FieldProblem[],
    /** Extra response headers (e.g. Retry-After on 503). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static validation(errors: FieldProblem[], message?: string): ApiError {
    const first = errors[0];
    const text = message ?? (errors.length === 1 ? `${first.field || '(body)'}: ${first.message}` : `the request is invalid: ${errors.length} invalid fields`);
    return new ApiError(400, 'validation_failed', text, first?.field, errors);
  }

  static badRequest(code: string, message: string, field?: string): ApiError {
    return new ApiError(400, code, message, field);
  }

  static unauthorized(code: string, message: string): ApiError {
    return new ApiError(401, code, message, 'Authorization', undefined, { 'WWW-Authenticate': 'Bearer realm="agent-ledger"' });
  }

  static forbidden(code: string, message: string): ApiError {
    return new ApiError(403, code, message, 'Authorization');
  }

  static notFound(code: string, message: string, field?: string): ApiError {
    return new ApiError(404, code, message, field);
  }

  static conflict(code: string, message: string, field?: string): ApiError {
    return new ApiError(409, code, message, field);
  }

  static unavailable(code: string, message: string, retryAfterSeconds = 1): ApiError {
    return new ApiError(503, code, message, undefined, undefined, { 'Retry-After': String(retryAfterSeconds) });
  }

  /** 429 with Retry-After (whole seconds, at least 1). */
  static tooManyRequests(code: string, message: string, retryAfterSeconds: number, field?: string): ApiError {
    return new ApiError(429, code, message, field, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { status: this.status, code: this.code, message: this.message };
    if (this.field !== undefined) error.field = this.field;
    if (this.errors?.length) error.errors = this.errors;
    return { error };
  }
}
