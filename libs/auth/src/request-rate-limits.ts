import { Inject, Injectable } from '@nestjs/common';
import { ApiError, RateLimiter, REDIS } from '@agent-ledger/runtime';
import { counter } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import type { AuthenticatedRequest } from './principal';

/** Client addresses remembered as over their failed-authentication limit (the oldest dropped first). */
const MAX_BLOCKED_REMEMBERED = 10_000;

const refusedLocally = () => counter('ledger_rate_limited_total', 'Requests refused with 429 by a rate limit', ['limit']);

/** The address a request came from (Express's `req.ip`, which honours its trust proxy setting). */
export function clientIp(req: AuthenticatedRequest): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

/**
 * The rate limits the auth guard applies, in Redis token buckets shared by a service's instances:
 * - per API key, after authentication: requests (or the service's cost per request, ingest's events);
 * - per client IP, failed authentications. An address over that limit is answered 429 without a key
 *   lookup until its Retry-After has passed (a key already verified and fresh in memory still
 *   passes), so a flood of invented keys costs PostgreSQL at most the bucket's rate.
 */
@Injectable()
export class RequestRateLimits {
  private readonly limiter: RateLimiter;
  private readonly blockedUntil = new Map<string, number>();

  constructor(@Inject(REDIS) redis: Redis, @Inject(AUTH_OPTIONS) private readonly options: AuthOptions) {
    this.limiter = new RateLimiter(redis, options.rateLimits?.redisPrefix);
  }

  /** Seconds this address must still wait before its failed authentications are looked up again (0: none). */
  blockedFor(ip: string): number {
    const until = this.blockedUntil.get(ip);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left > 0) return Math.ceil(left / 1000);
    this.blockedUntil.delete(ip);
    return 0;
  }

  /** The 429 of an address blocked for `seconds`. */
  blockedError(seconds: number): ApiError {
    refusedLocally().inc({ limit: `${this.options.rateLimits?.service}:failed-auth` });
    return ApiError.tooManyRequests('rate_limited', 'too many failed authentications from this address; retry later', seconds, 'Authorization');
  }

  /** Counts a failed authentication of this address; the 429 to answer if it is now over its limit. */
  async failed(ip: string): Promise<ApiError | undefined> {
    const limits = this.options.rateLimits;
    if (!limits) return undefined;
    const decision = await this.limiter.take(`${limits.service}:failed-auth`, ip, limits.failedAuthPerIp);
    if (decision.allowed) return undefined;
    if (this.blockedUntil.size >= MAX_BLOCKED_REMEMBERED) this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    this.blockedUntil.set(ip, Date.now() + decision.retryAfterSeconds * 1000);
    return ApiError.tooManyRequests('rate_limited', 'too many failed authentications from this address; retry later', decision.retryAfterSeconds, 'Authorization');
  }

  /** Takes this request's cost from the key's bucket. @throws ApiError 429 rate_limited when it is empty. */
  async charge(keyId: string, req: AuthenticatedRequest): Promise<void> {
    const limits = this.options.rateLimits;
    if (!limits) return;
    const cost = limits.cost ? limits.cost(req) : 1;
    const decision = await this.limiter.take(`${limits.service}:key`, keyId, limits.perKey, cost);
    if (!decision.allowed) {
      throw ApiError.tooManyRequests('rate_limited', `this API key is over its rate limit of ${limits.perKey.perSecond}/s (burst ${limits.perKey.burst}); retry after the Retry-After seconds`, decision.retryAfterSeconds);
    }
  }
}
