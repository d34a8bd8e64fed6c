import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyScope } from '@agent-ledger/persistence';
import { ApiError } from '@agent-ledger/runtime';
import { presentedApiKey, secretsEqual } from './api-key';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { REQUIRED_SCOPE, ROOT_ONLY } from './auth.decorators';
import { LookupUnavailableException } from './cached-lookup';
import type { AuthenticatedRequest } from './principal';
import { clientIp, RequestRateLimits } from './request-rate-limits';

/** Retry-After of a 503 auth_unavailable: long enough for a database restart or failover. */
export const AUTH_RETRY_AFTER_SECONDS = 5;

/** Scopes that imply others: an admin key may also read. `pii` is implied by none (PII in clear is asked for explicitly). */
const IMPLIED: Record<ApiKeyScope, readonly ApiKeyScope[]> = { admin: ['admin', 'read'], read: ['read'], ingest: ['ingest'], pii: ['pii'] };

export function grants(scopes: readonly ApiKeyScope[], required: ApiKeyScope): boolean {
  return scopes.some((s) => IMPLIED[s].includes(required));
}

/**
 * Global guard: a route marked @RequireScope(s) needs a live API key granting s, sent as
 * `Authorization: Bearer <key>` or `X-API-Key: <key>` (two different keys: 400 conflicting_api_keys); a route marked
 * @RequireRootKey() needs LEDGER_ROOT_KEY. Unmarked routes (health, metrics, the dashboard's static
 * files) are public. 401 = no, unknown or revoked key; 403 = a valid key without the scope;
 * 503 auth_unavailable (with Retry-After) = PostgreSQL unreachable and the key not known from before.
 * 429 rate_limited (with Retry-After) = the key is over its rate limit, or the client's address over
 * its limit of failed authentications (RequestRateLimits).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limits: RequestRateLimits,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const rootOnly = this.reflector.getAllAndOverride<boolean | undefined>(ROOT_ONLY, targets);
    const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, targets);
    if (!rootOnly && !scope) return true;

    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = presentedApiKey(req.headers);
    if (!presented.ok) throw ApiError.badRequest(presented.code, presented.message, 'X-API-Key');
    const token = presented.token;
    if (!token) throw ApiError.unauthorized('missing_api_key', 'send the key as "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    // One credential per request from here on: code that reads the key again (a live stream checking
    // for revocation) reads the Authorization header, whichever header the client used.
    req.headers.authorization = `Bearer ${token}`;

    if (rootOnly) {
      if (!this.options.rootKey) throw ApiError.unauthorized('root_key_not_configured', 'LEDGER_ROOT_KEY is not configured on this server');
      if (!secretsEqual(token, this.options.rootKey)) throw (await this.limits.failed(clientIp(req))) ?? ApiError.unauthorized('invalid_root_key', 'the root key is not valid');
      req.principal = { kind: 'root' };
      return true;
    }

    const ip = clientIp(req);
    const blocked = this.limits.blockedFor(ip);
    // An address over its failed-authentication limit gets no lookups, only keys already verified.
    const key = blocked ? this.authenticator.authenticateCached(token) : await this.lookUp(token);
    if (!key && blocked) throw this.limits.blockedError(blocked);
    if (!key) throw (await this.limits.failed(ip)) ?? ApiError.unauthorized('invalid_api_key', 'the API key is unknown or revoked');
    if (!grants(key.scopes, scope!)) throw ApiError.forbidden('insufficient_scope', `this API key lacks the "${scope}" scope (it has: ${key.scopes.join(', ')})`);
    await this.limits.charge(key.keyId, req);
    req.principal = { kind: 'api-key', keyId: key.keyId, tenantId: key.tenantId, scopes: key.scopes };
    return true;
  }

  private lookUp(token: string) {
    return this.authenticator.authenticate(token).catch((err: unknown) => {
      if (err instanceof LookupUnavailableException) {
        throw ApiError.unavailable('auth_unavailable', 'API keys cannot be checked right now (the database is unreachable); retry later', AUTH_RETRY_AFTER_SECONDS);
      }
      throw err;
    });
  }
}
