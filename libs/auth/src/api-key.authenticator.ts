import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { REDIS } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';
import { hashApiKey, looksLikeApiKey } from './api-key';
import { ApiKeysRepository, type ActiveApiKey } from './api-keys.repository';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { CachedLookup } from './cached-lookup';

/** Redis channel on which a revocation is announced to every service that caches keys. */
export const KEY_REVOKED_CHANNEL = 'agent-ledger:api-key-revoked';

/** Revoked key ids remembered (a revocation is final, so forgetting the oldest only costs a lookup). */
const MAX_REVOKED_REMEMBERED = 10_000;

/**
 * Resolves a raw API key to its tenant and scopes. Answers are cached for AUTH_CACHE_TTL_MS (ingest at
 * thousands of requests per second must not query PostgreSQL for each); a revocation is published on
 * Redis and evicts the key from every service's cache at once, the TTL bounding the delay if that
 * message is missed. While PostgreSQL is unreachable, a key verified within the last `staleMs` is
 * still honoured unless its revocation was announced; a key with no usable copy makes
 * `authenticate` throw LookupUnavailableException (the guard answers 503 auth_unavailable).
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleInit, OnModuleDestroy {
  private readonly log = createLogger(ApiKeyAuthenticator.name);
  private readonly lookup: CachedLookup<ActiveApiKey>;
  private readonly revoked = new Set<string>();
  private subscriber?: Redis;

  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    this.lookup = new CachedLookup((digest) => this.keys.findActiveByHash(Buffer.from(digest, 'base64')), {
      name: 'api-key',
      freshMs: options.cacheTtlMs,
      staleMs: options.staleMs,
      absentMs: options.unknownTtlMs,
      loadTimeoutMs: options.lookupTimeoutMs,
    });
  }

  async onModuleInit(): Promise<void> {
    const sub = this.redis.duplicate({ connectionName: 'api-key-revocations' });
    this.subscriber = sub;
    sub.on('message', (_channel: string, keyId: string) => this.evict(keyId));
    sub.on('error', (err) => this.log.warn({ err }, 'revocation subscriber'));
    // Subscribe in the background: a Redis outage at boot must not stop the service (the TTL still applies).
    sub.subscribe(KEY_REVOKED_CHANNEL).catch((err) => this.log.warn({ err }, 'could not subscribe to key revocations'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /**
   * The live key with this raw value, or undefined if it is unknown or revoked.
   * @throws LookupUnavailableException when PostgreSQL cannot answer and no usable copy is cached.
   */
  async authenticate(raw: string): Promise<ActiveApiKey | undefined> {
    if (!looksLikeApiKey(raw)) return undefined;
    const key = await this.lookup.get(hashApiKey(raw).toString('base64'));
    // A lookup that raced an announced revocation may have read the key before it was revoked.
    return key && !this.revoked.has(key.keyId) ? key : undefined;
  }

  /** The live key with this raw value if it is verified and fresh in memory; never asks PostgreSQL. */
  authenticateCached(raw: string): ActiveApiKey | undefined {
    if (!looksLikeApiKey(raw)) return undefined;
    const key = this.lookup.peek(hashApiKey(raw).toString('base64'));
    return key && !this.revoked.has(key.keyId) ? key : undefined;
  }

  /** Announces a revocation to every service (and evicts it here). */
  async announceRevoked(keyId: string): Promise<void> {
    this.evict(keyId);
    await this.redis.publish(KEY_REVOKED_CHANNEL, keyId).catch((err) => this.log.warn({ err, keyId }, 'could not announce a key revocation; caches expire it within their TTL'));
  }

  private evict(keyId: string): void {
    if (this.revoked.size >= MAX_REVOKED_REMEMBERED) this.revoked.delete(this.revoked.values().next().value!);
    this.revoked.add(keyId);
    this.lookup.evictWhere((key) => key.keyId === keyId);
  }
}
