import type { ActionEvent } from '@agent-ledger/contracts';
import type { EscalationSettings } from './settings';

/**
 * What one action event feeds of the rules that count over time: the conversation's counters
 * (`session_too_long`, `session_too_complex`) and the tenant's sliding windows (`tenant_*`). Only
 * enabled rules are fed; the worker keeps the windows in Redis and asks the functions below whether
 * a window is over its bound.
 */
export interface WindowFeed {
  /** The event belongs to a conversation whose length or size is watched. */
  session?: { sessionId: string; maxDurationMs?: number; maxEvents?: number };
  /** A finished action (executed or failed) for the error rate. */
  finished?: { failed: boolean };
  /** A failed action for the failure burst. */
  failure: boolean;
  /** A duration sample of a tool for its p95. */
  latency?: { tool: string; durationMs: number };
  /** A `change.recorded` for the change burst. */
  change: boolean;
}

/** Pure: what an event feeds under a tenant's settings. */
export function windowFeed(e: ActionEvent, s: EscalationSettings): WindowFeed {
  const r = s.rules;
  const isFinished = e.type === 'action.executed' || e.type === 'action.failed';
  const long = r.session_too_long.enabled ? r.session_too_long.maxDurationMs : undefined;
  const complex = r.session_too_complex.enabled ? r.session_too_complex.maxEvents : undefined;
  const feed: WindowFeed = {
    failure: e.type === 'action.failed' && r.tenant_failure_burst.enabled,
    change: e.type === 'change.recorded' && r.tenant_change_burst.enabled,
  };
  if (e.sessionId && (long !== undefined || complex !== undefined)) feed.session = { sessionId: e.sessionId, maxDurationMs: long, maxEvents: complex };
  if (isFinished && r.tenant_error_rate.enabled) feed.finished = { failed: e.type === 'action.failed' };
  if (isFinished && r.tenant_tool_latency.enabled && e.tool && typeof e.durationMs === 'number') feed.latency = { tool: e.tool.name, durationMs: e.durationMs };
  return feed;
}

/** Above the error rate bound: enough finished actions, and strictly more failed than the percentage allows. */
export function errorRateAbove(failed: number, finished: number, rule: EscalationSettings['rules']['tenant_error_rate']): boolean {
  return finished >= rule.minActions && finished > 0 && failed * 100 > rule.maxErrorRatePercent * finished;
}

/** Nearest-rank percentile (`p` in 0..100) of the values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The tool's p95 over the samples is above the bound (only with at least `minSamples`). */
export function latencyAbove(samples: readonly number[], rule: EscalationSettings['rules']['tenant_tool_latency']): boolean {
  return samples.length >= rule.minSamples && percentile(samples, 95) > rule.maxP95Ms;
}

/** "More than N": the count is above the allowed number. */
export function countAbove(count: number, max: number): boolean {
  return count > max;
}

const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`);

/** Summaries for the people handling the escalation. */
export const windowSummary = {
  sessionTooLong: (sessionId: string, spanMs: number, maxMs: number) => `Session ${sessionId} has been active for ${seconds(spanMs)} since its first event (more than ${seconds(maxMs)})`,
  sessionTooComplex: (sessionId: string, events: number, max: number) => `Session ${sessionId} has ${events} events (more than ${max})`,
  errorRate: (failed: number, finished: number, rule: EscalationSettings['rules']['tenant_error_rate']) =>
    `${Math.round((failed * 1000) / finished) / 10} % of ${finished} finished actions failed within ${seconds(rule.windowMs)} (above ${rule.maxErrorRatePercent} %)`,
  failureBurst: (n: number, rule: EscalationSettings['rules']['tenant_failure_burst']) => `${n} failed actions within ${seconds(rule.windowMs)} (more than ${rule.maxFailures})`,
  latency: (tool: string, samples: readonly number[], rule: EscalationSettings['rules']['tenant_tool_latency']) =>
    `p95 duration of ${tool} is ${percentile(samples, 95)} ms over its last ${samples.length} runs within ${seconds(rule.windowMs)} (above ${rule.maxP95Ms} ms)`,
  changeBurst: (n: number, rule: EscalationSettings['rules']['tenant_change_burst']) => `${n} changes recorded within ${seconds(rule.windowMs)} (more than ${rule.maxChanges})`,
};
