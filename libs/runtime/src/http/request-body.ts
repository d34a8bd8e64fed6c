import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiError } from './api-error';
import { InputTextInterceptor } from './input-text.interceptor';

/** The media types read as JSON (`application/json`, `application/problem+json`, …). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

export interface HttpInputOptions {
  /** Largest request body in bytes after decoding (413 beyond). */
  maxBodyBytes: number;
  /** Deepest nesting of a JSON body (400 beyond); defaults to the intake contract's 64. */
  maxJsonDepth?: number;
  /**
   * Runs first, before a body is read: e.g. admission of the request's declared bytes against an
   * in-progress budget (ingest). Passes an error to `next` to answer without reading the body.
   */
  beforeBody?: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  /**
   * One route that also takes a binary body of the given media types (ingest's OTLP/HTTP protobuf
   * at `/v1/traces`): read as a Buffer up to `maxBodyBytes`, decoded (gzip, deflate, br) like JSON.
   */
  binaryBody?: { path: string; mediaTypes: string[] };
}

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  path?: string;
  is(types: string[]): string | false | null;
}

/** Whether a request carries a body (a Transfer-Encoding, or a Content-Length other than 0). */
function hasBody(req: RequestLike): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/**
 * The request side of every HTTP service, in one place:
 * - a body that is not JSON is refused with 415 before it is read (form bodies included), except
 *   the one `binaryBody` route's media types, read as a Buffer with the same limit and decoding;
 * - JSON bodies are decoded (identity, gzip, deflate, br) and parsed by Express's parser, up to
 *   `maxBodyBytes` (413); a body that does not decompress or parse is a 400 (see http-error.filter);
 * - the decoded body, query and path parameters pass the intake text rules before any handler runs.
 * The services are created with Nest's own body parsers off, so nothing else reads a body.
 */
export function configureHttpInput(app: INestApplication, options: HttpInputOptions): void {
  const binary = options.binaryBody;
  const isBinary = (req: RequestLike) => binary !== undefined && req.path === binary.path && !!req.is(binary.mediaTypes);
  if (options.beforeBody) app.use(options.beforeBody);
  app.use((req: RequestLike, _res: unknown, next: (err?: unknown) => void) => {
    if (hasBody(req) && !req.is(JSON_MEDIA_TYPES) && !isBinary(req)) {
      next(new ApiError(415, 'unsupported_media_type', 'the request body must be JSON, sent with "Content-Type: application/json"', 'Content-Type'));
      return;
    }
    next();
  });
  (app as NestExpressApplication).useBodyParser('json', { limit: options.maxBodyBytes, type: JSON_MEDIA_TYPES });
  if (binary) (app as NestExpressApplication).useBodyParser('raw', { limit: options.maxBodyBytes, type: (req: unknown) => isBinary(req as RequestLike) });
  app.useGlobalInterceptors(new InputTextInterceptor(options.maxJsonDepth));
}
