import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { ApiError } from '@agent-ledger/runtime';
import type { Redis } from 'ioredis';
import { generateApiKey, hashApiKey } from './api-key';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import type { ActiveApiKey, ApiKeysRepository } from './api-keys.repository';
import { AuthGuard } from './auth.guard';
import { resolveAuthOptions } from './auth.options';
import { RequestRateLimits } from './request-rate-limits';

/** The api_keys table as the authenticator sees it, with an outage switch. */
class FakeKeys {
  readonly rows = new Map<string, ActiveApiKey>();
  down = false;

  add(raw: string, key: ActiveApiKey): void {
    this.rows.set(hashApiKey(raw).toString('hex'), key);
  }

  async findActiveByHash(hash: Buffer): Promise<ActiveApiKey | undefined> {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return this.rows.get(hash.toString('hex'));
  }
}

/** Redis as far as revocations go: publish reaches the subscriber of the same fake. */
function fakeRedis() {
  const listeners: ((channel: string, message: string) => void)[] = [];
  const redis = {
    duplicate: () => ({
      on: (event: string, fn: (channel: string, message: string) => void) => event === 'message' && listeners.push(fn),
      subscribe: async () => 1,
      quit: async () => 'OK',
      disconnect: () => undefined,
    }),
    publish: async (channel: string, message: string) => listeners.forEach((fn) => fn(channel, message)),
  };
  return { redis: redis as unknown as Redis, announce: (keyId: string) => listeners.forEach((fn) => fn('agent-ledger:api-key-revoked', keyId)) };
}

async function setup(options = { cacheTtlMs: 0, staleMs: 300_000 }) {
  const keys = new FakeKeys();
  const { redis, announce } = fakeRedis();
  const authenticator = new ApiKeyAuthenticator(keys as unknown as ApiKeysRepository, redis, resolveAuthOptions(options));
  await authenticator.onModuleInit();
  const reflector = { getAllAndOverride: (meta: string) => (meta === 'agent-ledger:required-scope' ? 'ingest' : undefined) } as unknown as Reflector;
  const guard = new AuthGuard(reflector, authenticator, new RequestRateLimits(redis, resolveAuthOptions(options)), resolveAuthOptions(options));
  const call = async (raw: string): Promise<{ status: number; code?: string; headers?: Record<string, string> }> => {
    const req = { headers: { authorization: `Bearer ${raw}` } };
    const ctx = { getHandler: () => undefined, getClass: () => undefined, switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
    try {
      await guard.canActivate(ctx);
      return { status: 200 };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return { status: err.status, code: err.code, headers: err.headers };
    }
  };
  const raw = generateApiKey('ingest').raw;
  keys.add(raw, { keyId: 'key-1', tenantId: 'tenant-1', scopes: ['ingest'] });
  return { keys, authenticator, announce, call, raw };
}

describe(ApiKeyAuthenticator.name, () => {
  it('should answer 503 auth_unavailable with Retry-After when PostgreSQL is down and the key was never seen', async () => {
    const { keys, call, raw } = await setup();
    keys.down = true;
    const answer = await call(raw);
    expect(answer).toMatchObject({ status: 503, code: 'auth_unavailable' });
    expect(Number(answer.headers?.['Retry-After'])).toBeGreaterThan(0);
  });

  it('should honour a key seen recently when PostgreSQL is down', async () => {
    const { keys, call, raw } = await setup();
    expect(await call(raw)).toEqual({ status: 200 });
    keys.down = true;
    expect(await call(raw)).toEqual({ status: 200 });
  });

  it('should refuse a key seen before when PostgreSQL is down and its revocation was announced', async () => {
    const { keys, call, raw, announce } = await setup();
    expect(await call(raw)).toEqual({ status: 200 });
    keys.down = true;
    announce('key-1');
    expect(await call(raw)).toMatchObject({ status: 503, code: 'auth_unavailable' });
  });

  it('should refuse a key whose lookup read it before an announced revocation', async () => {
    const { keys, authenticator, call, raw } = await setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = keys.findActiveByHash.bind(keys);
    keys.findActiveByHash = async (hash) => {
      const row = await original(hash);
      await gate;
      return row;
    };
    const pending = call(raw);
    await authenticator.announceRevoked('key-1');
    release();
    expect(await pending).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('should answer 401 for an unknown key and remember it briefly when PostgreSQL goes down', async () => {
    const { keys, call } = await setup({ cacheTtlMs: 5_000, staleMs: 300_000 });
    const unknown = generateApiKey('ingest').raw;
    expect(await call(unknown)).toMatchObject({ status: 401, code: 'invalid_api_key' });
    keys.down = true;
    expect(await call(unknown)).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('should answer 401 without a lookup when the value is not shaped like a key, even when PostgreSQL is down', async () => {
    const { keys, call } = await setup();
    keys.down = true;
    expect(await call('not-a-key')).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});
