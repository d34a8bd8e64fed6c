import type { RateLimit } from '@agent-ledger/runtime';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/** What a rate limit's cost function may read of a request. */
export interface RateLimitedRequest {
  body?: unknown;
}

export interface AuthRateLimits {
  /** Names the service's buckets (`ingest`, `audit-api`). */
  service: string;
  /** Per API key, after authentication; perSecond 0 = none. */
  perKey: RateLimit;
  /** Tokens a request takes from its key's bucket (default 1; ingest: its number of events). */
  cost?: (req: RateLimitedRequest) => number;
  /** Per client IP, failed authentications (unknown or revoked key, wrong root key); perSecond 0 = none. */
  failedAuthPerIp: RateLimit;
  /** Prefix of the bucket keys in Redis (default `agent-ledger:rate:`). */
  redisPrefix?: string;
}

export interface AuthOptions {
  /** The operator's root key (tenant administration); absent: root endpoints answer 401. */
  rootKey?: string;
  /** How long a verified key is remembered; revocations are also pushed over Redis. */
  cacheTtlMs: number;
  /**
   * How much longer a key verified before may still be honoured while PostgreSQL cannot be reached
   * (never after its revocation was announced). Default 5 minutes.
   */
  staleMs: number;
  /** How long an unknown or revoked key is remembered as such (default: cacheTtlMs). */
  unknownTtlMs: number;
  /** A key lookup slower than this counts as the database being unavailable. */
  lookupTimeoutMs: number;
  /** Rate limits applied by the guard (absent: none). */
  rateLimits?: AuthRateLimits;
}

export const DEFAULT_AUTH_OPTIONS: Omit<AuthOptions, 'unknownTtlMs'> = { cacheTtlMs: 5_000, staleMs: 300_000, lookupTimeoutMs: 2_000 };

/** Fills in the defaults of the options a service did not set. */
export function resolveAuthOptions(options: Partial<AuthOptions>): AuthOptions {
  const merged = { ...DEFAULT_AUTH_OPTIONS, ...options };
  return { ...merged, unknownTtlMs: options.unknownTtlMs ?? merged.cacheTtlMs };
}
