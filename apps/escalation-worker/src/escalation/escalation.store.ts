import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@agent-ledger/runtime';
import type { TimerKind } from '@agent-ledger/escalation-rules';
import type { ChainableCommander, Redis } from 'ioredis';
import { COMPLETE_TIMER, FINISH_ACTION, parseTimerMember, pendingSlotTtlMs, SCHEDULE_TIMER, timerMember, type DueTimer, type StuckEscalation } from './escalation.store.timers';
import { RedisRoundTrip, type Answer } from './redis-round-trip';
import { WORKER_SETTINGS, type WorkerSettings } from './worker-settings';

const DAY_MS = 86_400_000;

export type { DueTimer, StuckEscalation } from './escalation.store.timers';

/**
 * One open escalation per (tenant, session, reason). A trigger folds into the open one while it is
 * not resolved and its cooldown runs; otherwise it opens a new one (the previous one is reported so
 * it can be closed). The cooldown runs from the latest trigger (`lastSeenAt`: an escalation quiet
 * for longer is over) or, for tenant alerts, from the opening (`openedAt`: a throttle on
 * notifications). Each trigger counts once (a set of trigger ids). With a throttle key (tenant
 * alerts), an opening sets it for the cooldown, and a trigger while it is set and the alert was
 * already resolved is suppressed: nothing is published.
 * KEYS: open hash. ARGV: candidate id, trigger id, now ms, cooldown ms, trigger-set prefix, index key prefix, cooldown start field, throttle key or ''.
 */
const OPEN_OR_FOLD = `
local h = redis.call('HGETALL', KEYS[1])
local cur = {}
for i = 1, #h, 2 do cur[h[i]] = h[i + 1] end
local now = tonumber(ARGV[3])
if cur.escalationId then
  local known = redis.call('SISMEMBER', ARGV[5] .. cur.escalationId, ARGV[2])
  if known == 1 then
    return {'duplicate', cur.escalationId, cur.count, cur.firstTrigger, cur.openedAt, ''}
  end
  if now - tonumber(cur[ARGV[7]]) <= tonumber(ARGV[4]) then
    redis.call('SADD', ARGV[5] .. cur.escalationId, ARGV[2])
    local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
    redis.call('HSET', KEYS[1], 'lastSeenAt', now)
    return {'folded', cur.escalationId, tostring(count), cur.firstTrigger, cur.openedAt, ''}
  end
end
if ARGV[8] ~= '' then
  local last = redis.call('GET', ARGV[8])
  if last and not cur.escalationId then
    return {'suppressed', last, '0', '', '0', ''}
  end
  redis.call('SET', ARGV[8], ARGV[1], 'PX', ARGV[4])
end
local stale = cur.escalationId or ''
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'escalationId', ARGV[1], 'status', 'open', 'count', 1, 'lastSeenAt', now, 'openedAt', now, 'firstTrigger', ARGV[2])
redis.call('SADD', ARGV[5] .. ARGV[1], ARGV[2])
redis.call('PEXPIRE', ARGV[5] .. ARGV[1], ${30 * DAY_MS})
redis.call('SET', ARGV[6] .. ARGV[1], KEYS[1], 'PX', ${30 * DAY_MS})
if stale ~= '' then redis.call('DEL', ARGV[6] .. stale) end
return {'opened', ARGV[1], '1', ARGV[2], tostring(now), stale}`;

/** Applies an acknowledge or resolve published by the API (or by the worker itself). */
const APPLY_STATUS = `
local open = redis.call('GET', KEYS[1])
if not open then return 0 end
if redis.call('HGET', open, 'escalationId') ~= ARGV[1] then return 0 end
if ARGV[2] == 'resolved' then
  redis.call('DEL', open)
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', open, 'status', ARGV[2])
end
return 1`;

export interface OpenOutcome {
  /** `suppressed`: a tenant alert resolved within its cooldown; nothing to publish. */
  outcome: 'opened' | 'folded' | 'duplicate' | 'suppressed';
  escalationId: string;
  count: number;
  /** The trigger that opened the escalation. */
  firstTrigger: string;
  openedAt: number;
  /** An escalation closed because it was quiet for longer than the cooldown. */
  staleEscalationId?: string;
}

type Scripted = Redis & {
  applyStatus(indexKey: string, escalationId: string, status: string): Promise<number>;
  completeTimer(timers: string, slot: string, finished: string, member: string, fired: string): Promise<number>;
};
type Pipe = ChainableCommander & {
  openOrFold(key: string, candidate: string, trigger: string, nowMs: number, cooldownMs: number, trigPrefix: string, indexPrefix: string, cooldownFrom: string, throttleKey: string): unknown;
  scheduleTimer(seen: string, done: string, timers: string, slot: string, dueMs: number, member: string, replace: string, slotTtlMs: number): unknown;
  finishAction(finished: string, slot: string, timers: string, indexPrefix: string): unknown;
  applyStatus(indexKey: string, escalationId: string, status: string): unknown;
};
const on = (p: ChainableCommander) => p as Pipe;

/**
 * The worker's durable state in Redis; every step that must be atomic is one Lua script. The steps
 * of a batch are queued on one round trip ({@link roundTrip}) and answered when it has run.
 */
@Injectable()
export class EscalationStore {
  private readonly redis: Scripted;
  private readonly p: string;

  constructor(@Inject(REDIS) redis: Redis, @Inject(WORKER_SETTINGS) settings: WorkerSettings) {
    this.p = settings.redisPrefix;
    this.redis = redis as Scripted;
    if (!('openOrFold' in redis)) {
      redis.defineCommand('openOrFold', { numberOfKeys: 1, lua: OPEN_OR_FOLD });
      redis.defineCommand('applyStatus', { numberOfKeys: 1, lua: APPLY_STATUS });
      redis.defineCommand('scheduleTimer', { numberOfKeys: 4, lua: SCHEDULE_TIMER });
      redis.defineCommand('completeTimer', { numberOfKeys: 3, lua: COMPLETE_TIMER });
      redis.defineCommand('finishAction', { numberOfKeys: 3, lua: FINISH_ACTION });
    }
  }

  /** A new round trip on the worker's Redis connection. */
  roundTrip(): RedisRoundTrip {
    return new RedisRoundTrip(this.redis);
  }

  private seenKey(tenantId: string, eventId: string): string {
    return `${this.p}:seen:${tenantId}:${eventId}`;
  }

  private decidedKey(tenantId: string, actionId: string): string {
    return `${this.p}:decided:${tenantId}:${actionId}`;
  }

  /** Whether the event was handled completely before (its messages published). */
  alreadyProcessed(rt: RedisRoundTrip, tenantId: string, eventId: string): Answer<boolean> {
    return rt.add((p) => p.exists(this.seenKey(tenantId, eventId)), (r) => Number(r) === 1);
  }

  /** Marks the event handled: a redelivery within 7 days is skipped. */
  markProcessed(rt: RedisRoundTrip, tenantId: string, eventId: string): void {
    rt.add((p) => p.set(this.seenKey(tenantId, eventId), '1', 'PX', 7 * DAY_MS), () => undefined);
  }

  openOrFold(rt: RedisRoundTrip, tenantId: string, sessionId: string, reason: string, candidateId: string, triggerId: string, nowMs: number, cooldownMs: number, throttle = false): Answer<OpenOutcome> {
    const key = `${tenantId}:${sessionId}:${reason}`;
    return rt.add(
      (p) => on(p).openOrFold(`${this.p}:open:${key}`, candidateId, triggerId, nowMs, cooldownMs, `${this.p}:trig:`, `${this.p}:esc:`, throttle ? 'openedAt' : 'lastSeenAt', throttle ? `${this.p}:throttle:${key}` : ''),
      (raw) => {
        const r = raw as string[];
        return {
          outcome: r[0] as OpenOutcome['outcome'],
          escalationId: r[1],
          count: Number(r[2]),
          firstTrigger: r[3],
          openedAt: Number(r[4]),
          staleEscalationId: r[5] || undefined,
        };
      },
    );
  }

  async applyStatus(escalationId: string, status: 'acknowledged' | 'resolved'): Promise<boolean> {
    return (await this.redis.applyStatus(`${this.p}:esc:${escalationId}`, escalationId, status)) === 1;
  }

  /** The escalation open for (tenant, session, open key), if any (a resolve deletes the open state). */
  async openEscalationOf(tenantId: string, sessionId: string, openKey: string): Promise<string | undefined> {
    return (await this.redis.hget(`${this.p}:open:${tenantId}:${sessionId}:${openKey}`, 'escalationId')) ?? undefined;
  }

  /** Clears an escalation's open state as its resolve does, queued on a round trip. */
  clearOpen(rt: RedisRoundTrip, escalationId: string): void {
    rt.add((p) => on(p).applyStatus(`${this.p}:esc:${escalationId}`, escalationId, 'resolved'), () => undefined);
  }

  markDecided(rt: RedisRoundTrip, tenantId: string, actionId: string): void {
    rt.add((p) => p.set(this.decidedKey(tenantId, actionId), '1', 'PX', 30 * DAY_MS), () => undefined);
  }

  async isDecided(tenantId: string, actionId: string): Promise<boolean> {
    return (await this.redis.exists(this.decidedKey(tenantId, actionId))) === 1;
  }

  private finishedKey(tenantId: string, actionId: string): string {
    return `${this.p}:finished:${tenantId}:${actionId}`;
  }

  private slotKey(t: { kind: TimerKind; tenantId: string; actionId: string }): string {
    return t.kind === 'stuck' ? `${this.p}:stuck:${t.tenantId}:${t.actionId}` : '';
  }

  private get timersKey(): string {
    return `${this.p}:timers`;
  }

  /**
   * Schedules a timer: a confirmation timer once per attempt event, unless the action is decided; a
   * stuck timer once per action (see {@link TimerStart.replaces}), unless the action finished. Never
   * for an event handled before.
   */
  scheduleTimer(rt: RedisRoundTrip, t: Omit<DueTimer, 'member'>, dueMs: number, replaces = false): Answer<boolean> {
    const done = t.kind === 'stuck' ? this.finishedKey(t.tenantId, t.actionId) : this.decidedKey(t.tenantId, t.actionId);
    return rt.add((p) => on(p).scheduleTimer(this.seenKey(t.tenantId, t.eventId), done, this.timersKey, this.slotKey(t), dueMs, timerMember(t), replaces ? '1' : '0', pendingSlotTtlMs(dueMs, Date.now())), (r) => Number(r) === 1);
  }

  async dueTimers(nowMs: number, limit: number): Promise<DueTimer[]> {
    const members = await this.redis.zrangebyscore(this.timersKey, '-inf', nowMs, 'LIMIT', 0, limit);
    return members.map(parseTimerMember);
  }

  /**
   * Removes a handled timer. `fired`: the stuck_action escalation it opened (the action's slot keeps
   * it, so a terminal event can resolve it); answers whether the action finished meanwhile.
   */
  async completeTimer(t: DueTimer, fired?: StuckEscalation): Promise<boolean> {
    const value = fired && t.kind === 'stuck' ? `fired|${fired.escalationId}|${fired.sessionId}` : '';
    return (await this.redis.completeTimer(this.timersKey, this.slotKey(t), this.finishedKey(t.tenantId, t.actionId), t.member, value)) === 1;
  }

  async isFinished(tenantId: string, actionId: string): Promise<boolean> {
    return (await this.redis.exists(this.finishedKey(tenantId, actionId))) === 1;
  }

  /** A terminal event of the action: answers its stuck_action escalation that is still open, if any. */
  finishAction(rt: RedisRoundTrip, tenantId: string, actionId: string): Answer<StuckEscalation | undefined> {
    const slot = this.slotKey({ kind: 'stuck', tenantId, actionId });
    return rt.add(
      (p) => on(p).finishAction(this.finishedKey(tenantId, actionId), slot, this.timersKey, `${this.p}:esc:`),
      (raw) => {
        const r = raw as string[];
        return r.length ? { escalationId: r[0], sessionId: r[1] } : undefined;
      },
    );
  }
}
