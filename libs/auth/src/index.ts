export { API_KEY_PREFIX, bearerToken, displayPrefix, generateApiKey, hashApiKey, looksLikeApiKey, secretsEqual, type GeneratedApiKey } from './api-key';
export { ApiKeyAuthenticator, KEY_REVOKED_CHANNEL } from './api-key.authenticator';
export { ApiKeysRepository, type ActiveApiKey, type ApiKeySummary, type CreatedApiKey } from './api-keys.repository';
export { CurrentPrincipal, CurrentTenant, RequireRootKey, RequireScope } from './auth.decorators';
export { AUTH_RETRY_AFTER_SECONDS, AuthGuard, grants } from './auth.guard';
export { AuthModule } from './auth.module';
export { AUTH_OPTIONS, DEFAULT_AUTH_OPTIONS, resolveAuthOptions, type AuthOptions } from './auth.options';
export { CachedLookup, LookupUnavailableException, type CachedLookupOptions } from './cached-lookup';
export type { AuthenticatedRequest, Principal } from './principal';
