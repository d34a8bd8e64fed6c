import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { checkJsonText, MAX_JSON_DEPTH, unsafeTextReason } from '@agent-ledger/contracts';
import type { Observable } from 'rxjs';
import { ApiError, type FieldProblem } from './api-error';

interface RequestLike {
  body?: unknown;
  query?: unknown;
  params?: Record<string, unknown>;
}

/** A parameter name as a field: unsafe characters shown as `\uXXXX` escapes. */
function nameOf(key: string): string {
  return key.replace(/[\u0000-\u001f\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Query and path parameters: named by parameter (as `parseInput` names them); a nested query value
 * (`a[b]=…`) by its top-level parameter.
 */
function checkParameters(values: unknown, problems: FieldProblem[]): void {
  if (!values || typeof values !== 'object') return;
  for (const [key, value] of Object.entries(values)) {
    const keyReason = unsafeTextReason(key);
    if (keyReason) {
      problems.push({ field: nameOf(key), code: 'text', message: `the parameter name ${nameOf(key)} ${keyReason}` });
      continue;
    }
    const [first] = checkJsonText(value, { limit: 1, name: (pointer) => `${key}${pointer}` });
    if (first) problems.push({ field: key, code: first.code, message: first.message });
  }
}

/**
 * The intake text rules at the HTTP edge, for every endpoint of a service: before a handler runs,
 * the decoded body, every query value and every path parameter hold no NUL and no lone surrogate
 * (PostgreSQL cannot store them), and the body nests at most `maxDepth` levels. The walk is not
 * recursive, so a body nested 10,000 levels deep is refused with 400 like any other.
 */
@Injectable()
export class InputTextInterceptor implements NestInterceptor {
  constructor(private readonly maxDepth = MAX_JSON_DEPTH) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<RequestLike>();
    const problems: FieldProblem[] = [];
    checkParameters(req.params, problems);
    checkParameters(req.query, problems);
    // A binary body (a Buffer, see HttpInputOptions.binaryBody) is checked by its decoder, not here.
    if (req.body !== undefined && !Buffer.isBuffer(req.body)) {
      for (const e of checkJsonText(req.body, { maxDepth: this.maxDepth })) problems.push({ field: e.pointer || '(body)', code: e.code, message: e.message });
    }
    if (problems.length) throw ApiError.validation(problems);
    return next.handle();
  }
}
