import type { TimerKind } from '@agent-ledger/escalation-rules';

// The worker's durable timers in Redis (one sorted set by due time): their members and Lua scripts.
const DAY_MS = 86_400_000;

/** A timer that came due. `stuck` timers also carry the tool and deadline their summary names. */
export interface DueTimer {
  member: string;
  kind: TimerKind;
  tenantId: string;
  actionId: string;
  sessionId: string;
  /** The event that started it: the trigger of the escalation it opens. */
  eventId: string;
  /** `stuck`: the tool's name and risk level, if the event named them. */
  tool?: string;
  /** `stuck`: the deadline the timer was scheduled with. */
  deadlineMs?: number;
}

/** A stuck_action escalation a terminal event resolves. */
export interface StuckEscalation {
  escalationId: string;
  sessionId: string;
}

/**
 * Schedules a timer unless its event was already handled (a redelivery: the timer may have fired
 * and gone) or its action is done (decided, for a confirmation timer; finished, for a stuck one).
 * With a slot key (one timer per action), the slot holds the pending member, or `fired|…` once the
 * timer fired: a fired slot is never re-armed; a pending one is replaced only with ARGV[3] = '1'.
 * A pending slot lives 7 days past its due time, a fired one 30 days (what a late terminal event may resolve).
 * KEYS: the event's seen mark, the action's done mark, the timers, the slot or ''. ARGV: due ms, member, replace, slot ttl ms.
 */
export const SCHEDULE_TIMER = `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if KEYS[4] ~= '' then
  local prev = redis.call('GET', KEYS[4])
  if prev then
    if prev == ARGV[2] then return 0 end
    if ARGV[3] ~= '1' or string.sub(prev, 1, 6) == 'fired|' then return 0 end
    redis.call('ZREM', KEYS[3], prev)
  end
  redis.call('SET', KEYS[4], ARGV[2], 'PX', ARGV[4])
end
return redis.call('ZADD', KEYS[3], 'NX', ARGV[1], ARGV[2])`;

/** How long a pending slot is kept: until 7 days after it is due. */
export function pendingSlotTtlMs(dueMs: number, nowMs: number): number {
  return Math.max(dueMs - nowMs, 0) + 7 * DAY_MS;
}

/**
 * A timer was handled: removes it; with a fired value, marks its slot fired (and drops a timer that
 * replaced it meanwhile: one escalation per action) and answers 1 if the action finished meanwhile.
 * KEYS: the timers, the slot or '', the action's finished mark. ARGV: member, fired value or ''.
 */
export const COMPLETE_TIMER = `
redis.call('ZREM', KEYS[1], ARGV[1])
if KEYS[2] == '' or ARGV[2] == '' then return 0 end
local cur = redis.call('GET', KEYS[2])
if cur and string.sub(cur, 1, 6) ~= 'fired|' then redis.call('ZREM', KEYS[1], cur) end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ${30 * DAY_MS})
return redis.call('EXISTS', KEYS[3])`;

/**
 * A terminal event: marks the action finished (for 7 days: an attempt arriving later starts no
 * timer), drops its pending stuck timer, and answers the stuck_action escalation it opened if that
 * one is still open (escalation id, session).
 * KEYS: the finished mark, the slot, the timers. ARGV: index key prefix.
 */
export const FINISH_ACTION = `
redis.call('SET', KEYS[1], '1', 'PX', ${7 * DAY_MS})
local slot = redis.call('GET', KEYS[2])
if not slot then return {} end
local escalationId, sessionId = string.match(slot, '^fired|([^|]+)|(.*)$')
if not escalationId then
  redis.call('ZREM', KEYS[3], slot)
  redis.call('DEL', KEYS[2])
  return {}
end
local open = redis.call('GET', ARGV[1] .. escalationId)
if not open or redis.call('HGET', open, 'escalationId') ~= escalationId then return {} end
return {escalationId, sessionId}`;

/** A confirmation timer's member keeps the layout it always had (timers scheduled before stuck timers existed stay readable). */
export function timerMember(t: Omit<DueTimer, 'member'>): string {
  if (t.kind === 'confirmation') return JSON.stringify([t.tenantId, t.actionId, t.sessionId, t.eventId]);
  return JSON.stringify([t.kind, t.tenantId, t.actionId, t.sessionId, t.eventId, t.tool ?? '', t.deadlineMs ?? 0]);
}

export function parseTimerMember(member: string): DueTimer {
  const parts = JSON.parse(member) as (string | number)[];
  if (parts.length === 4) {
    const [tenantId, actionId, sessionId, eventId] = parts as string[];
    return { member, kind: 'confirmation', tenantId, actionId, sessionId, eventId };
  }
  const [kind, tenantId, actionId, sessionId, eventId, tool, deadlineMs] = parts;
  return { member, kind: kind as TimerKind, tenantId: String(tenantId), actionId: String(actionId), sessionId: String(sessionId), eventId: String(eventId), tool: tool ? String(tool) : undefined, deadlineMs: Number(deadlineMs) };
}
