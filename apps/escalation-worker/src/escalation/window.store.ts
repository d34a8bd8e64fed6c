import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@agent-ledger/runtime';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Answer, RedisRoundTrip } from './redis-round-trip';
import { WORKER_SETTINGS, type WorkerSettings } from './worker-settings';

const DAY_MS = 86_400_000;

/**
 * A sliding window of event ids scored by `occurredAt`: counts an event once (by id) and returns how
 * many fall within `windowMs` up to and including it. Members older than four windows before it go;
 * at most `cap` members are kept (the newest).
 * KEYS: the window. ARGV: event id, at ms, window ms, cap.
 */
const COUNT_IN_WINDOW = `
local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
local at = tonumber(ARGV[2])
local w = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (at - 4 * w))
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call('PEXPIRE', KEYS[1], math.max(4 * w, 60000))
return {added, redis.call('ZCOUNT', KEYS[1], at - w, at)}`;

/**
 * The error-rate window: finished actions and, among them, failures, both by event id. When the cap
 * drops the oldest finished actions, failures before the oldest kept one go too, so the rate is
 * always taken over the same stretch of time.
 * KEYS: finished, failed. ARGV: event id, at ms, window ms, cap, failed (1|0).
 */
const ERROR_RATE = `
local at = tonumber(ARGV[2])
local w = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], 'NX', at, ARGV[1])
if ARGV[5] == '1' then redis.call('ZADD', KEYS[2], 'NX', at, ARGV[1]) end
local from = at - w
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. (at - 4 * w))
  redis.call('PEXPIRE', KEYS[i], math.max(4 * w, 60000))
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. oldest)
  if oldest > from then from = oldest end
end
return {redis.call('ZCOUNT', KEYS[2], from, at), redis.call('ZCOUNT', KEYS[1], from, at)}`;

/**
 * A tool's duration samples: members `<event id>|<durationMs>` scored by `occurredAt` (the same
 * event always gives the same member, so it counts once); the newest `cap` are kept. Returns the
 * durations within the window up to the sample.
 * KEYS: samples. ARGV: member, at ms, window ms, cap.
 */
const LATENCY_SAMPLES = `
local at = tonumber(ARGV[2])
local w = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], 'NX', at, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (at - 4 * w))
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call('PEXPIRE', KEYS[1], math.max(4 * w, 60000))
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], at - w, at)) do
  out[#out + 1] = string.sub(m, string.find(m, '|', 1, true) + 1)
end
return out`;

/**
 * Whether this evaluation of a tenant alert is a crossing: the condition holds now and did not at
 * the previous evaluation (or held last more than a window ago). Only an evaluation at a later
 * `occurredAt` than the last one that held clears the condition, so a late event does not. The
 * crossing event is remembered: handling it again (redelivery) answers "crossing" again, so its
 * messages are published again with the same ids.
 * KEYS: alert state. ARGV: event id, at ms, holds (1|0), window ms.
 */
const ALERT_EDGE = `
local h = redis.call('HGETALL', KEYS[1])
local cur = {}
for i = 1, #h, 2 do cur[h[i]] = h[i + 1] end
if cur.crossedBy == ARGV[1] then return 1 end
local at = tonumber(ARGV[2])
local w = tonumber(ARGV[4])
local last = tonumber(cur.lastTrueAt or '-1e18')
redis.call('PEXPIRE', KEYS[1], math.max(8 * w, ${DAY_MS}))
if ARGV[3] == '1' then
  local crossing = cur.active ~= '1' or at - last > w
  redis.call('HSET', KEYS[1], 'active', '1', 'lastTrueAt', math.max(at, last))
  if crossing then
    redis.call('HSET', KEYS[1], 'crossedBy', ARGV[1])
    return 1
  end
  return 0
end
if at > last then redis.call('HSET', KEYS[1], 'active', '0') end
return 0`;

/**
 * A conversation's span and size, once per session each. Keeps the earliest and latest
 * `occurredAt` seen and the distinct event ids (only until the size rule fired). The event that
 * first takes the span above `maxDurationMs` (or the count above `maxEvents`) is recorded as the
 * rule's trigger and returned; handling it again returns it again. -1 turns a rule off.
 * KEYS: session hash, event-id set. ARGV: event id, at ms, maxDurationMs, maxEvents, ttl ms.
 */
const SESSION_ACTIVITY = `
local h = redis.call('HGETALL', KEYS[1])
local cur = {}
for i = 1, #h, 2 do cur[h[i]] = h[i + 1] end
local at = tonumber(ARGV[2])
local first = math.min(tonumber(cur.first or at), at)
local last = math.max(tonumber(cur.last or at), at)
redis.call('HSET', KEYS[1], 'first', first, 'last', last)
local maxDur = tonumber(ARGV[3])
local maxEv = tonumber(ARGV[4])
local count = 0
if maxEv >= 0 and not cur.complex then
  redis.call('SADD', KEYS[2], ARGV[1])
  count = redis.call('SCARD', KEYS[2])
  if count > maxEv then
    cur.complex = ARGV[1]
    redis.call('HSET', KEYS[1], 'complex', ARGV[1], 'events', count)
    redis.call('DEL', KEYS[2])
  else
    redis.call('PEXPIRE', KEYS[2], ARGV[5])
  end
elseif cur.complex then
  count = tonumber(cur.events or '0')
end
if maxDur >= 0 and not cur.long and last - first > maxDur then
  cur.long = ARGV[1]
  redis.call('HSET', KEYS[1], 'long', ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {tostring(first), tostring(last), count, cur.long or '', cur.complex or ''}`;

export interface SessionActivity {
  firstAt: number;
  lastAt: number;
  /** Distinct events counted (when the size rule is on). */
  events: number;
  /** The event that took the session past `maxDurationMs`, once it happened. */
  longTrigger?: string;
  /** The event that took the session past `maxEvents`, once it happened. */
  complexTrigger?: string;
}

type Pipe = ChainableCommander & {
  countInWindow(key: string, eventId: string, atMs: number, windowMs: number, cap: number): unknown;
  errorRate(finished: string, failed: string, eventId: string, atMs: number, windowMs: number, cap: number, isFailure: string): unknown;
  latencySamples(key: string, member: string, atMs: number, windowMs: number, cap: number): unknown;
  alertEdge(key: string, eventId: string, atMs: number, holds: string, windowMs: number): unknown;
  sessionActivity(hash: string, ids: string, eventId: string, atMs: number, maxDurationMs: number, maxEvents: number, ttlMs: number): unknown;
};
const on = (p: ChainableCommander) => p as Pipe;

/**
 * The worker's windows and counters in Redis: each update and its answer is one Lua script, queued
 * on a round trip (the batch's) and answered when it has run.
 */
@Injectable()
export class WindowStore {
  private readonly p: string;

  constructor(@Inject(REDIS) redis: Redis, @Inject(WORKER_SETTINGS) settings: WorkerSettings) {
    this.p = settings.redisPrefix;
    if (!('countInWindow' in redis)) {
      redis.defineCommand('countInWindow', { numberOfKeys: 1, lua: COUNT_IN_WINDOW });
      redis.defineCommand('errorRate', { numberOfKeys: 2, lua: ERROR_RATE });
      redis.defineCommand('latencySamples', { numberOfKeys: 1, lua: LATENCY_SAMPLES });
      redis.defineCommand('alertEdge', { numberOfKeys: 1, lua: ALERT_EDGE });
      redis.defineCommand('sessionActivity', { numberOfKeys: 2, lua: SESSION_ACTIVITY });
    }
  }

  /** Events of a window (`name`: e.g. `fail:<tenant>:<session>`) within `windowMs` up to this one, this one counted once. */
  count(rt: RedisRoundTrip, name: string, eventId: string, atMs: number, windowMs: number, cap: number): Answer<number> {
    return rt.add((p) => on(p).countInWindow(`${this.p}:${name}`, eventId, atMs, windowMs, cap), (r) => Number((r as [number, number])[1]));
  }

  /** Failed and finished actions of the tenant within the window up to this one. */
  errorRate(rt: RedisRoundTrip, tenantId: string, eventId: string, atMs: number, windowMs: number, cap: number, failed: boolean): Answer<{ failed: number; finished: number }> {
    return rt.add(
      (p) => on(p).errorRate(`${this.p}:tfinished:${tenantId}`, `${this.p}:tfailed:${tenantId}`, eventId, atMs, windowMs, cap, failed ? '1' : '0'),
      (r) => ({ failed: Number((r as [number, number])[0]), finished: Number((r as [number, number])[1]) }),
    );
  }

  /** The tool's durations within the window up to this sample (the newest `cap` kept). */
  latencySamples(rt: RedisRoundTrip, tenantId: string, tool: string, eventId: string, durationMs: number, atMs: number, windowMs: number, cap: number): Answer<number[]> {
    return rt.add((p) => on(p).latencySamples(`${this.p}:tlatency:${tenantId}:${tool}`, `${eventId}|${durationMs}`, atMs, windowMs, cap), (r) => (r as string[]).map(Number));
  }

  /** Whether this evaluation of the alert (`alert`: reason, and tool for latency) is a crossing. */
  crossing(rt: RedisRoundTrip, tenantId: string, alert: string, eventId: string, atMs: number, holds: boolean, windowMs: number): Answer<boolean> {
    return rt.add((p) => on(p).alertEdge(`${this.p}:alert:${tenantId}:${alert}`, eventId, atMs, holds ? '1' : '0', windowMs), (r) => Number(r) === 1);
  }

  /** Records an event of a conversation; -1 turns a rule off. */
  sessionActivity(rt: RedisRoundTrip, tenantId: string, sessionId: string, eventId: string, atMs: number, maxDurationMs: number, maxEvents: number): Answer<SessionActivity> {
    const k = `${this.p}:session:${tenantId}:${sessionId}`;
    return rt.add(
      (p) => on(p).sessionActivity(k, `${k}:ids`, eventId, atMs, maxDurationMs, maxEvents, 7 * DAY_MS),
      (r) => {
        const [first, last, events, long, complex] = r as [string, string, number, string, string];
        return { firstAt: Number(first), lastAt: Number(last), events: Number(events), longTrigger: long || undefined, complexTrigger: complex || undefined };
      },
    );
  }
}
