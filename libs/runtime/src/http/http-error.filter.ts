import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { createLogger } from '@agent-ledger/telemetry';
import { ApiError } from './api-error';

interface HttpResponseLike {
  headersSent?: boolean;
  status(code: number): HttpResponseLike;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
  end(): void;
}

/** Errors raised by Express's body parser carry a `type` and an HTTP status. */
interface BodyParserError {
  type: string;
  status?: number;
  statusCode?: number;
  limit?: number;
  charset?: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string' && ('status' in err || 'statusCode' in err);
}

/** Turns anything thrown while serving a request into an ApiError (never exposing internals). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isBodyParserError(err)) {
    switch (err.type) {
      case 'entity.too.large':
        return new ApiError(413, 'payload_too_large', `the request body exceeds the limit of ${err.limit ?? 'the configured'} bytes`, '(body)');
      case 'entity.parse.failed':
        return new ApiError(400, 'malformed_json', 'the request body is not valid JSON', '(body)');
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new ApiError(415, 'unsupported_encoding', `unsupported body encoding${err.charset ? ` ${err.charset}` : ''}`, 'Content-Type');
      case 'request.aborted':
        return new ApiError(400, 'request_aborted', 'the request was aborted by the client', '(body)');
      default:
        return new ApiError(err.status ?? err.statusCode ?? 400, 'bad_request', 'the request body could not be read', '(body)');
    }
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    switch (status) {
      case HttpStatus.BAD_REQUEST:
        // Nest turns the body parser's SyntaxError into a BadRequestException carrying its message.
        if (/JSON/.test(err.message)) return new ApiError(400, 'malformed_json', `the request body is not valid JSON (${err.message})`, '(body)');
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
  return new ApiError(500, 'internal_error', 'internal error');
}

/**
 * The HTTP filter of every service: one error shape, the right status, no stack traces.
 * Unexpected errors are logged (they are bugs or outages) and answered with 500 internal_error.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = createLogger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<HttpResponseLike>();
    const error = toApiError(exception);
    if (error.status >= 500 && !(exception instanceof ApiError)) this.log.error({ err: exception }, 'unhandled error while serving a request');
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
    res.status(error.status).json(error.toBody());
  }
}
