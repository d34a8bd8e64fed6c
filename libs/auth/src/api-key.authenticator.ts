import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { REDIS } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';
import { hashApiKey, looksLikeApiKey } from './api-key';
import { ApiKeysRepository, type ActiveApiKey } from './api-keys.repository';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';

/** Redis channel on which a revocation is announced to every service that caches keys. */
export const KEY_REVOKED_CHANNEL = 'agent-ledger:api-key-revoked';

/**
 * Resolves a raw API key to its tenant and scopes. Positive answers are cached for a few seconds
 * (ingest at thousands of requests per second must not query PostgreSQL for each); a revocation is
 * published on Redis and evicts the key from every service's cache at once, the TTL bounding the
 * delay if that message is missed.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleInit, OnModuleDestroy {
  private readonly log = createLogger(ApiKeyAuthenticator.name);
  private readonly cache = new Map<string, { key: ActiveApiKey; expiresAt: number }>();
  private subscriber?: Redis;

  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

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

  async authenticate(raw: string): Promise<ActiveApiKey | undefined> {
    if (!looksLikeApiKey(raw)) return undefined;
    const digest = hashApiKey(raw).toString('base64');
    const now = Date.now();
    const hit = this.cache.get(digest);
    if (hit && hit.expiresAt > now) return hit.key;
    const key = await this.keys.findActive(raw);
    if (key && this.options.cacheTtlMs > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(digest, { key, expiresAt: now + this.options.cacheTtlMs });
    } else {
      this.cache.delete(digest);
    }
    return key;
  }

  /** Announces a revocation to every service (and evicts it here). */
  async announceRevoked(keyId: string): Promise<void> {
    this.evict(keyId);
    await this.redis.publish(KEY_REVOKED_CHANNEL, keyId).catch((err) => this.log.warn({ err, keyId }, 'could not announce a key revocation; caches expire it within their TTL'));
  }

  private evict(keyId: string): void {
    for (const [digest, entry] of this.cache) if (entry.key.keyId === keyId) this.cache.delete(digest);
  }
}
