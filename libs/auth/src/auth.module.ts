import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { ApiKeysRepository } from './api-keys.repository';
import { AuthGuard } from './auth.guard';
import { AUTH_OPTIONS, resolveAuthOptions, type AuthOptions } from './auth.options';
import { RequestRateLimits } from './request-rate-limits';

/** API key authentication for an HTTP service (needs InfraModule for PostgreSQL and Redis). */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: Partial<AuthOptions> = {}): DynamicModule {
    const resolved = resolveAuthOptions(options);
    return {
      module: AuthModule,
      providers: [{ provide: AUTH_OPTIONS, useValue: resolved }, ApiKeysRepository, ApiKeyAuthenticator, RequestRateLimits, { provide: APP_GUARD, useClass: AuthGuard }],
      exports: [ApiKeysRepository, ApiKeyAuthenticator, AUTH_OPTIONS],
    };
  }
}
