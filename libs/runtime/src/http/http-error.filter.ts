import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { createLogger } from '@agent-ledger/telemetry';
import { ApiError } from './api-error';
import { classifyDatabaseError } from './database-errors';

interface HttpResponseLike {
  headersSent?: boolean;
  destroyed?: boolean;
  status(code: number): HttpResponseLike;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
  destroy(err?: Error): void;
}

/** Errors raised by Express's body parser carry a `type` and an HTTP status. */
interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  limit?: number;
  charset?: string;
  encoding?: string;
}

/** An error the body parser marked as the client's (http-errors: a 4xx status and `expose`). */
function bodyParserError(err: unknown): BodyParserError | undefined {
  if (typeof err !== 'object' || err === null || err instanceof HttpException || err instanceof ApiError) return undefined;
  const e = err as BodyParserError;
  const status = e.status ?? e.statusCode;
  if (typeof e.type === 'string' && typeof status === 'number') return e;
  // A body that does not decompress (gzip, deflate, br): the zlib error, given status 400 by the parser.
  if (e.expose === true && typeof status === 'number' && status >= 400 && status < 500) return e;
  return undefined;
}

function fromBodyParser(err: BodyParserError): ApiError {
  switch (err.type) {
    case 'entity.too.large':
      return new ApiError(413, 'payload_too_large', `the request body exceeds the limit of ${err.limit ?? 'the configured'} bytes`, '(body)');
    case 'entity.parse.failed':
      return new ApiError(400, 'malformed_json', 'the request body is not valid JSON', '(body)');
    case 'encoding.unsupported':
      return new ApiError(415, 'unsupported_content_encoding', 'unsupported Content-Encoding: send identity, gzip, deflate or br', 'Content-Encoding', undefined, {
        'Accept-Encoding': 'gzip, deflate, br',
      });
    case 'charset.unsupported':
      return new ApiError(415, 'unsupported_charset', `unsupported charset${err.charset ? ` ${err.charset}` : ''}: send UTF-8 JSON`, 'Content-Type');
    case 'request.aborted':
      return new ApiError(400, 'request_aborted', 'the request was aborted by the client', '(body)');
    case 'request.size.invalid':
      return new ApiError(400, 'body_length_mismatch', 'the request body does not match its Content-Length', '(body)');
    default:
      return new ApiError(400, 'undecodable_body', 'the request body could not be decoded (it does not match its Content-Encoding)', '(body)');
  }
}

/**
 * Turns anything thrown while serving a request into an ApiError (never exposing internals):
 * coded errors as they are, body parser and routing errors by kind, an unreachable database as 503
 * with Retry-After, a value PostgreSQL refused as 400, anything else as 500.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const parser = bodyParserError(err);
  if (parser) return fromBodyParser(parser);
  if (err instanceof HttpException) {
    const status = err.getStatus();
    switch (status) {
      case HttpStatus.BAD_REQUEST:
        // Nest turns the body parser's SyntaxError into a BadRequestException carrying its message.
        if (/JSON/.test(err.message)) return new ApiError(400, 'malformed_json', 'the request body is not valid JSON', '(body)');
        // Express's router: a path segment that does not percent-decode as UTF-8.
        if (/^Failed to decode param/.test(err.message)) return new ApiError(400, 'malformed_url', 'a path parameter does not decode as UTF-8', '(path)');
        return new ApiError(400, 'bad_request', err.message);
      case HttpStatus.NOT_FOUND:
        return new ApiError(404, 'not_found', 'no such endpoint');
      case HttpStatus.METHOD_NOT_ALLOWED:
        return new ApiError(405, 'method_not_allowed', 'method not allowed');
      case HttpStatus.PAYLOAD_TOO_LARGE:
        return new ApiError(413, 'payload_too_large', 'the request body is too large', '(body)');
      case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
        return new ApiError(415, 'unsupported_media_type', 'the request body must be application/json', 'Content-Type');
      default: {
        const res = err.getResponse();
        const message = typeof res === 'string' ? res : typeof (res as { message?: unknown }).message === 'string' ? (res as { message: string }).message : err.message;
        return new ApiError(status, status >= 500 ? 'internal_error' : 'bad_request', status >= 500 ? 'internal error' : message);
      }
    }
  }
  // A path or query that does not percent-decode (`%E0%A4%A`, an encoded lone surrogate).
  if (err instanceof URIError) return new ApiError(400, 'malformed_url', 'the request URL does not decode as UTF-8', '(url)');
  switch (classifyDatabaseError(err)) {
    case 'unavailable':
      return ApiError.unavailable('database_unavailable', 'the database is unavailable; retry later', 2);
    case 'data':
      return new ApiError(400, 'invalid_value', 'a value of the request was refused by the database');
    default:
      return new ApiError(500, 'internal_error', 'internal error');
  }
}

/**
 * The HTTP filter of every service: one error shape, the right status, no stack traces.
 * Unexpected errors are logged (they are bugs) and answered with 500 internal_error. When the
 * answer had already started (a streamed export), the connection is destroyed: the client sees a
 * broken transfer, never a complete-looking truncated body. Outside HTTP (a Kafka batch handler of
 * the consumer transport, which inherits the app's filters) the error is handed back unchanged:
 * the consumer host classifies it (retry, or isolate and dead-letter).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = createLogger(HttpErrorFilter.name);

  /**
   * `serverErrorsAsUnavailable`: answer every 5xx as 503 `temporarily_unavailable` with Retry-After
   * (ingest: its clients retry with the same eventIds, which is always safe).
   */
  constructor(private readonly opts: { serverErrorsAsUnavailable?: boolean } = {}) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() !== 'http') return throwError(() => exception);
    const res = host.switchToHttp().getResponse<HttpResponseLike>();
    let error = toApiError(exception);
    this.report(exception, error);
    if (this.opts.serverErrorsAsUnavailable && error.status >= 500 && error.status !== 503) {
      error = ApiError.unavailable('temporarily_unavailable', 'the service could not take the request; retry later with the same eventIds', 2);
    }
    if (res.headersSent) {
      if (!res.destroyed) res.destroy();
      return;
    }
    for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
    res.status(error.status).json(error.toBody());
  }

  private report(exception: unknown, error: ApiError): void {
    if (exception instanceof ApiError) return;
    const code = typeof (exception as { code?: unknown })?.code === 'string' ? (exception as { code: string }).code : undefined;
    // Database errors are logged by class and code (SQLSTATE or network code) only: their text may quote values.
    if (error.code === 'database_unavailable') this.log.warn({ code }, 'database unavailable while serving a request; answered 503');
    else if (error.code === 'invalid_value') this.log.warn({ code }, 'the database refused a request value that validation let through; answered 400');
    else if (error.status >= 500) this.log.error({ err: exception }, 'unhandled error while serving a request');
  }
}
