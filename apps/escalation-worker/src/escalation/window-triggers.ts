import { Injectable } from '@nestjs/common';
import { tenantScopeSessionId } from '@agent-ledger/contracts';
import { countAbove, errorRateAbove, latencyAbove, WINDOW_SAMPLE_CAP, windowSummary, type TenantAlertReason } from '@agent-ledger/escalation-rules';
import type { PlannedEvent } from './action-batch';
import type { Fire } from './fire';
import type { Answer, RedisRoundTrip } from './redis-round-trip';
import { WindowStore, type SessionActivity } from './window.store';

/** What the windows an event feeds answered (a window it does not feed is absent). */
export interface WindowAnswers {
  /** Failed actions of the conversation within error_threshold's window. */
  sessionFailures?: Answer<number>;
  session?: Answer<SessionActivity>;
  errorRate?: Answer<{ failed: number; finished: number }>;
  failureBurst?: Answer<number>;
  latency?: Answer<number[]>;
  changes?: Answer<number>;
}

/** A tenant alert the event evaluated: whether its condition holds now. */
export interface AlertCheck {
  reason: TenantAlertReason;
  tool?: string;
  holds: boolean;
  summary: () => string;
}

/**
 * The rules that count over time: failures in a conversation (error_threshold), a conversation that
 * runs too long or grows too large (once per session), and the tenant-wide alerts over sliding
 * windows (once per crossing). Every window counts an event once by its id and is measured on the
 * events' own `occurredAt`. The windows of a batch are queued on one round trip, the crossings of
 * its alerts on a second one.
 */
@Injectable()
export class WindowTriggers {
  constructor(private readonly windows: WindowStore) {}

  /** Queues the windows the event feeds, in the batch's order. */
  queue(rt: RedisRoundTrip, p: PlannedEvent): WindowAnswers {
    const { event: e, feed, at } = p;
    const r = p.settings.rules;
    const a: WindowAnswers = {};
    if (p.evaluation.countsAsFailure) a.sessionFailures = this.windows.count(rt, `fail:${e.tenantId}:${p.sessionId}`, e.eventId, at, r.error_threshold.windowMs, WINDOW_SAMPLE_CAP);
    if (feed.session) a.session = this.windows.sessionActivity(rt, e.tenantId, feed.session.sessionId, e.eventId, at, feed.session.maxDurationMs ?? -1, feed.session.maxEvents ?? -1);
    if (feed.finished) a.errorRate = this.windows.errorRate(rt, e.tenantId, e.eventId, at, r.tenant_error_rate.windowMs, WINDOW_SAMPLE_CAP, feed.finished.failed);
    if (feed.failure) a.failureBurst = this.windows.count(rt, `tfail:${e.tenantId}`, e.eventId, at, r.tenant_failure_burst.windowMs, WINDOW_SAMPLE_CAP);
    if (feed.latency) a.latency = this.windows.latencySamples(rt, e.tenantId, feed.latency.tool, e.eventId, feed.latency.durationMs, at, r.tenant_tool_latency.windowMs, r.tenant_tool_latency.maxSamples);
    if (feed.change) a.changes = this.windows.count(rt, `tchange:${e.tenantId}`, e.eventId, at, r.tenant_change_burst.windowMs, WINDOW_SAMPLE_CAP);
    return a;
  }

  /** Queues the crossing check of each alert the event evaluated; answers the fires of the crossings. */
  crossings(rt: RedisRoundTrip, p: PlannedEvent, checks: AlertCheck[]): Answer<Fire[]> {
    const { event: e, at } = p;
    const answers = checks.map((c) => {
      const rule = p.settings.rules[c.reason];
      const crossed = this.windows.crossing(rt, e.tenantId, c.tool === undefined ? c.reason : `${c.reason}:${c.tool}`, e.eventId, at, c.holds, rule.windowMs);
      return () =>
        crossed()
          ? [{ tenantId: e.tenantId, sessionId: tenantScopeSessionId(c.reason, c.tool), reason: c.reason, summary: c.summary(), triggerId: e.eventId, tenantAlert: { cooldownMs: rule.cooldownMs } }]
          : [];
    });
    return () => answers.flatMap((fires) => fires());
  }
}

/** Pure: the conversation rules that fired on the event, from its windows' answers. */
export function conversationFires(p: PlannedEvent, a: WindowAnswers): Fire[] {
  const { event: e, feed } = p;
  const r = p.settings.rules;
  const fires: Fire[] = [];
  const base = { tenantId: e.tenantId, actionId: e.actionId, triggerId: e.eventId };
  if (a.sessionFailures) {
    const n = a.sessionFailures();
    if (n >= r.error_threshold.threshold) {
      fires.push({ ...base, sessionId: p.sessionId, reason: 'error_threshold', summary: `${n} failed actions in session ${p.sessionId} within ${Math.round(r.error_threshold.windowMs / 1000)} s` });
    }
  }
  if (feed.session && a.session) {
    const { sessionId, maxDurationMs, maxEvents } = feed.session;
    const s = a.session();
    if (maxDurationMs !== undefined && s.longTrigger === e.eventId) fires.push({ ...base, sessionId, reason: 'session_too_long', summary: windowSummary.sessionTooLong(sessionId, s.lastAt - s.firstAt, maxDurationMs) });
    if (maxEvents !== undefined && s.complexTrigger === e.eventId) fires.push({ ...base, sessionId, reason: 'session_too_complex', summary: windowSummary.sessionTooComplex(sessionId, s.events, maxEvents) });
  }
  return fires;
}

/** Pure: the tenant alerts the event evaluated and whether each holds, from its windows' answers. */
export function alertChecks(p: PlannedEvent, a: WindowAnswers): AlertCheck[] {
  const r = p.settings.rules;
  const checks: AlertCheck[] = [];
  if (a.errorRate) {
    const w = a.errorRate();
    checks.push({ reason: 'tenant_error_rate', holds: errorRateAbove(w.failed, w.finished, r.tenant_error_rate), summary: () => windowSummary.errorRate(w.failed, w.finished, r.tenant_error_rate) });
  }
  if (a.failureBurst) {
    const n = a.failureBurst();
    checks.push({ reason: 'tenant_failure_burst', holds: countAbove(n, r.tenant_failure_burst.maxFailures), summary: () => windowSummary.failureBurst(n, r.tenant_failure_burst) });
  }
  if (a.latency && p.feed.latency) {
    const samples = a.latency();
    const { tool } = p.feed.latency;
    checks.push({ reason: 'tenant_tool_latency', tool, holds: latencyAbove(samples, r.tenant_tool_latency), summary: () => windowSummary.latency(tool, samples, r.tenant_tool_latency) });
  }
  if (a.changes) {
    const n = a.changes();
    checks.push({ reason: 'tenant_change_burst', holds: countAbove(n, r.tenant_change_burst.maxChanges), summary: () => windowSummary.changeBurst(n, r.tenant_change_burst) });
  }
  return checks;
}
