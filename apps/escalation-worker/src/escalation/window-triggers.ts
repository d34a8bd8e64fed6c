import { Injectable } from '@nestjs/common';
import { tenantScopeSessionId, type ActionEvent } from '@agent-ledger/contracts';
import { countAbove, errorRateAbove, latencyAbove, WINDOW_SAMPLE_CAP, windowFeed, windowSummary, type EscalationSettings, type TenantAlertReason } from '@agent-ledger/escalation-rules';
import type { Fire } from './fire';
import { WindowStore } from './window.store';

/**
 * The rules that count over time: a conversation that runs too long or grows too large (once per
 * session), and the tenant-wide alerts over sliding windows (once per crossing). Every window counts
 * an event once by its id and is measured on the events' own `occurredAt`.
 */
@Injectable()
export class WindowTriggers {
  constructor(private readonly windows: WindowStore) {}

  async evaluate(e: ActionEvent, s: EscalationSettings): Promise<Fire[]> {
    const feed = windowFeed(e, s);
    const r = s.rules;
    const at = Date.parse(e.occurredAt);
    const fires: Fire[] = [];

    if (feed.session) {
      const { sessionId, maxDurationMs, maxEvents } = feed.session;
      const a = await this.windows.sessionActivity(e.tenantId, sessionId, e.eventId, at, maxDurationMs ?? -1, maxEvents ?? -1);
      const base = { tenantId: e.tenantId, sessionId, actionId: e.actionId, triggerId: e.eventId };
      if (maxDurationMs !== undefined && a.longTrigger === e.eventId) fires.push({ ...base, reason: 'session_too_long', summary: windowSummary.sessionTooLong(sessionId, a.lastAt - a.firstAt, maxDurationMs) });
      if (maxEvents !== undefined && a.complexTrigger === e.eventId) fires.push({ ...base, reason: 'session_too_complex', summary: windowSummary.sessionTooComplex(sessionId, a.events, maxEvents) });
    }

    const alert = async (reason: TenantAlertReason, holds: boolean, summary: () => string, tool?: string) => {
      const rule = r[reason];
      if (await this.windows.crossing(e.tenantId, tool === undefined ? reason : `${reason}:${tool}`, e.eventId, at, holds, rule.windowMs)) {
        fires.push({ tenantId: e.tenantId, sessionId: tenantScopeSessionId(reason, tool), reason, summary: summary(), triggerId: e.eventId, tenantAlert: { cooldownMs: rule.cooldownMs } });
      }
    };
    if (feed.finished) {
      const rule = r.tenant_error_rate;
      const w = await this.windows.errorRate(e.tenantId, e.eventId, at, rule.windowMs, WINDOW_SAMPLE_CAP, feed.finished.failed);
      await alert('tenant_error_rate', errorRateAbove(w.failed, w.finished, rule), () => windowSummary.errorRate(w.failed, w.finished, rule));
    }
    if (feed.failure) {
      const rule = r.tenant_failure_burst;
      const n = await this.windows.count(`tfail:${e.tenantId}`, e.eventId, at, rule.windowMs, WINDOW_SAMPLE_CAP);
      await alert('tenant_failure_burst', countAbove(n, rule.maxFailures), () => windowSummary.failureBurst(n, rule));
    }
    if (feed.latency) {
      const rule = r.tenant_tool_latency;
      const { tool, durationMs } = feed.latency;
      const samples = await this.windows.latencySamples(e.tenantId, tool, e.eventId, durationMs, at, rule.windowMs, rule.maxSamples);
      await alert('tenant_tool_latency', latencyAbove(samples, rule), () => windowSummary.latency(tool, samples, rule), tool);
    }
    if (feed.change) {
      const rule = r.tenant_change_burst;
      const n = await this.windows.count(`tchange:${e.tenantId}`, e.eventId, at, rule.windowMs, WINDOW_SAMPLE_CAP);
      await alert('tenant_change_burst', countAbove(n, rule.maxChanges), () => windowSummary.changeBurst(n, rule));
    }
    return fires;
  }
}
