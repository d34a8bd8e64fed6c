import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest, Principal } from '@agent-ledger/auth';

/** Whether the caller may read PII in clear: an API key carrying the `pii` scope (no other scope implies it). */
export const mayReadPii = (p: Principal | undefined): boolean => p?.kind === 'api-key' && p.scopes.includes('pii');

/** `true` when the calling key carries the `pii` scope (see {@link mayReadPii}). */
export const PiiAccess = createParamDecorator((_data: unknown, ctx: ExecutionContext): boolean => mayReadPii(ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal));
