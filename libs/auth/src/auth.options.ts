export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

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
}

export const DEFAULT_AUTH_OPTIONS: Omit<AuthOptions, 'unknownTtlMs'> = { cacheTtlMs: 5_000, staleMs: 300_000, lookupTimeoutMs: 2_000 };

/** Fills in the defaults of the options a service did not set. */
export function resolveAuthOptions(options: Partial<AuthOptions>): AuthOptions {
  const merged = { ...DEFAULT_AUTH_OPTIONS, ...options };
  return { ...merged, unknownTtlMs: options.unknownTtlMs ?? merged.cacheTtlMs };
}
