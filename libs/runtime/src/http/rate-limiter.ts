import { createHash } from 'node:crypto';
import { counter, createLogger } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';

/** A token bucket: `perSecond` tokens are added each second, up to `burst`. `perSecond` 0 = no limit. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When refused: whole seconds (≥ 1) until the request would be allowed. */
  retryAfterSeconds: number;
}

/**
 * One atomic step of a token bucket stored as a Redis hash {t: tokens, at: ms}: refill by the time
 * elapsed (Redis's clock, so every process agrees), take n if there are n, else say how long until
 * there would be. The key expires once the bucket would be full again (an idle bucket costs nothing).
 * KEYS[1] = bucket; ARGV = perSecond, burst, n. Returns {allowed 0|1, wait ms}.
 */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = math.min(tonumber(ARGV[3]), burst)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then tokens = burst; at = now end
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000); at = now end
local allowed = 0
local wait = 0
if tokens >= n then
  tokens = tokens - n
  allowed = 1
else
  wait = math.ceil((n - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {allowed, wait}
`;
const TAKE_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

/** How long a bucket step may take before the limiter gives up and lets the request through. */
const REDIS_TIMEOUT_MS = 250;

const metrics = {
  limited: () => counter('ledger_rate_limited_total', 'Requests refused with 429 by a rate limit', ['limit']),
  failOpen: () => counter('ledger_rate_limiter_unavailable_total', 'Rate limit checks skipped (request allowed) because Redis could not answer', ['limit']),
};

const ALLOW: RateDecision = { allowed: true, retryAfterSeconds: 0 };

/**
 * Token buckets in Redis shared by every instance of a service. When Redis cannot answer (down,
 * reconnecting, slower than 250 ms) the request is allowed — ingest's availability matters more than
 * the limit — counted in `ledger_rate_limiter_unavailable_total`, and logged once per outage.
 */
export class RateLimiter {
  private readonly log = createLogger(RateLimiter.name);
  private failing = false;

  constructor(
    private readonly redis: Redis,
    /** Prefix of the bucket keys (one namespace per deployment). */
    private readonly prefix = 'agent-ledger:rate:',
  ) {}

  /** Takes `n` tokens from the bucket `name`/`id` under `limit`. */
  async take(name: string, id: string, limit: RateLimit, n = 1): Promise<RateDecision> {
    if (limit.perSecond <= 0) return ALLOW;
    if (this.redis.status !== 'ready') return this.failOpen(name, new Error(`redis connection is ${this.redis.status}`));
    const key = `${this.prefix}${name}:${id}`;
    const args = [limit.perSecond, Math.max(1, limit.burst), Math.max(1, Math.ceil(n))];
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = (await Promise.race([
        this.run(key, args),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`rate limit check took longer than ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
        }),
      ])) as [number, number];
      if (this.failing) {
        this.failing = false;
        this.log.info({ limit: name }, 'rate limits enforced again (Redis answers)');
      }
      if (reply[0] === 1) return ALLOW;
      metrics.limited().inc({ limit: name });
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(reply[1] / 1000)) };
    } catch (err) {
      return this.failOpen(name, err);
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(key: string, args: number[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(TAKE_SHA, 1, key, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return this.redis.eval(TAKE_SCRIPT, 1, key, ...args);
    }
  }

  private failOpen(name: string, err: unknown): RateDecision {
    metrics.failOpen().inc({ limit: name });
    if (!this.failing) {
      this.failing = true;
      this.log.warn({ err, limit: name }, 'rate limits not enforced: Redis cannot answer; requests are allowed until it does');
    }
    return ALLOW;
  }
}
