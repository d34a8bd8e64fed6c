import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { ApiKeyScope } from '@agent-ledger/persistence';
import type { AuthenticatedRequest, Principal } from './principal';

export const REQUIRED_SCOPE = 'agent-ledger:required-scope';
export const ROOT_ONLY = 'agent-ledger:root-only';

/** The API key must carry this scope (`admin` keys may also read). */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/** Only the operator's root key (LEDGER_ROOT_KEY) may call this. */
export const RequireRootKey = () => SetMetadata(ROOT_ONLY, true);

/** The authenticated caller (set by the guard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a route without an auth guard');
  return req.principal;
});

/** The tenant of the calling API key. */
export const CurrentTenant = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const p = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!p || p.kind !== 'api-key') throw new Error('CurrentTenant used on a route not guarded by an API key scope');
  return p.tenantId;
});
